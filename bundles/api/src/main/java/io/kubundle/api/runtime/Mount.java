package io.kubundle.api.runtime;

/**
 * A bind mount from the host into a container.
 *
 * @param hostPath an existing file or directory on the host
 * @param containerPath where it appears in the container (absolute; made if missing)
 * @param readOnly whether the container may not write it
 * @param propagation {@code private} (default), {@code rslave} (HostToContainer) or
 *        {@code rshared} (Bidirectional), as Kubernetes' mountPropagation
 */
public record Mount(String hostPath, String containerPath, boolean readOnly, String propagation) {
    public Mount(String hostPath, String containerPath, boolean readOnly) {
        this(hostPath, containerPath, readOnly, "private");
    }
}
