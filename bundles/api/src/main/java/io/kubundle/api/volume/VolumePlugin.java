package io.kubundle.api.volume;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Makes volumes of one or more source types available on the host, as Kubernetes' volume plugins
 * do (Mounter's SetUp, Unmounter's TearDown).
 *
 * <p>Register the service with a {@value #TYPES_PROPERTY} property naming the source types it
 * handles (a string, or several: {@code volume.types=emptyDir}, {@code volume.types=nfs}). When two
 * plugins register one type, the kubelet uses the one that came last while it is there. Every
 * method is thread-safe; calls for one volume never overlap.
 */
@ConsumerType
public interface VolumePlugin {

    /** Service property: the source types (keys of {@code VolumeSource} or {@code PersistentVolumeSource}) it handles. */
    String TYPES_PROPERTY = "volume.types";

    /**
     * Makes the volume available, or brings it up to date: called on every sync of the pod, so it
     * must be idempotent and cheap when nothing changed, and must make changes (a ConfigMap's new
     * data) visible to containers already running, atomically where Kubernetes does.
     *
     * @return the host path the runtime bind-mounts: {@link VolumeRef#directory()} or another
     *         existing path
     * @throws VolumeFailure if it cannot; the kubelet shows the message as a {@code FailedMount}
     *         event and tries again at the next sync
     */
    Path setUp(VolumeRequest request) throws VolumeFailure;

    /**
     * Undoes {@link #setUp}: unmounts what it mounted for the volume and releases what it holds for
     * it. Called once the pod's containers are gone, also for pods deleted while the kubelet was
     * down, so only the {@link VolumeRef} is known: the plugin tears down from what it finds at
     * {@link VolumeRef#directory()} or kept on disk. Idempotent: a volume never set up, set up by
     * another instance, or already torn down is no error. It need not delete the directory.
     *
     * @throws VolumeFailure if something stays mounted; the kubelet logs it and unmounts it anyway
     */
    void tearDown(VolumeRef volume) throws VolumeFailure;
}
