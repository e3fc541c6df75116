package io.kubundle.api.volume;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The pod's downward API values as the kubelet resolves them for environment variables too, so a
 * {@code downwardAPI} volume and the environment always agree (the pod's IP before the status
 * reports it, the node's allocatable resources for a container without limits). Thread-safe.
 */
@ProviderType
public interface PodFields {

    /**
     * A {@code fieldRef}'s value: {@code metadata.name}, {@code metadata.namespace},
     * {@code metadata.uid}, {@code metadata.labels['k']}, {@code metadata.annotations['k']},
     * {@code spec.nodeName}, {@code spec.serviceAccountName}, {@code status.podIP},
     * {@code status.hostIP}.
     *
     * @throws VolumeFailure for a field path it does not support
     */
    String field(String fieldPath) throws VolumeFailure;

    /**
     * A {@code resourceFieldRef}'s value in units of {@code divisor}, rounded up.
     *
     * @param container the container's name; {@code null} or empty for the pod's first container
     * @param resource {@code limits.cpu}, {@code requests.memory}, ...
     * @param divisor a quantity ({@code 1Mi}), or {@code null} for 1
     * @throws VolumeFailure for an unknown container or a zero divisor
     */
    String resource(String container, String resource, String divisor) throws VolumeFailure;
}
