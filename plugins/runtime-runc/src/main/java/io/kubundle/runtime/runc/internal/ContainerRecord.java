package io.kubundle.runtime.runc.internal;

import io.kubundle.api.runtime.ContainerConfig;

/** A container's record (container.json): what it was made from, its image id and stop signal, and its cgroup path. */
record ContainerRecord(String id, String sandboxId, ContainerConfig config, String imageId, String stopSignal,
        String cgroupPath, String createdAt) {
}
