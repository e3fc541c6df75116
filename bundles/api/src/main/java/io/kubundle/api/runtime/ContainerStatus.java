package io.kubundle.api.runtime;

import java.time.Instant;
import java.util.Map;

/**
 * A container as the runtime knows it.
 *
 * @param id the container's id
 * @param sandboxId its sandbox
 * @param runtime the {@link ContainerRuntime#name() name} of the runtime that made it
 * @param name its name in the pod
 * @param attempt the attempt it was made for
 * @param state its state
 * @param image the image as asked for
 * @param imageId the image's id (manifest digest, {@code sha256:...})
 * @param createdAt when it was made
 * @param startedAt when its process started, or {@code null}
 * @param finishedAt when it exited, or {@code null}
 * @param exitCode its exit code once {@link ContainerState#EXITED} (128 + signal when killed)
 * @param reason once exited: {@code Completed} (code 0), {@code Error}, {@code OOMKilled},
 *        {@code StartError}; else empty
 * @param message more about the reason, or empty
 * @param logPath its log file
 * @param labels what it was made with
 * @param annotations what it was made with
 */
public record ContainerStatus(String id, String sandboxId, String runtime, String name, int attempt,
        ContainerState state, String image, String imageId, Instant createdAt, Instant startedAt, Instant finishedAt,
        int exitCode, String reason, String message, String logPath, Map<String, String> labels,
        Map<String, String> annotations) {
    public ContainerStatus {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }
}
