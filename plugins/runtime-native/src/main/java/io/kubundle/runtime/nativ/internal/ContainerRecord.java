package io.kubundle.runtime.nativ.internal;

import java.util.List;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.runtime.support.Records;

/**
 * A container's record (container.json): what it was made from, its image id and stop signal, its
 * cgroup path, the process as merged from image and config, and the command line that starts it
 * (made once, at creation, from the root file system as it was then).
 */
record ContainerRecord(String id, String sandboxId, ContainerConfig config, String imageId, String stopSignal,
        String cgroupPath, String createdAt, Records.Process process, List<String> launch) {
}
