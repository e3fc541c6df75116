package io.kubundle.api.volume;

/**
 * A volume could not be set up or torn down. The message says why, as Kubernetes says it
 * ({@code configmap "settings" not found}); the kubelet shows it as a {@code FailedMount} event
 * ({@code MountVolume.SetUp failed for volume "cfg" : <message>}) and keeps the pod waiting.
 */
public class VolumeFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public VolumeFailure(String message) {
        super(message);
    }

    public VolumeFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
