package io.kubundle.api.runtime;

import java.time.Instant;
import java.util.Map;

/**
 * A sandbox as the runtime knows it.
 *
 * @param id the sandbox's id
 * @param runtime the {@link ContainerRuntime#name() name} of the runtime that made it
 * @param config what it was made from
 * @param ready whether it runs (not stopped)
 * @param createdAt when it was made
 */
public record SandboxStatus(String id, String runtime, SandboxConfig config, boolean ready, Instant createdAt) {
    /** The labels it was made with. */
    public Map<String, String> labels() {
        return config.labels();
    }

    /** The annotations it was made with. */
    public Map<String, String> annotations() {
        return config.annotations();
    }
}
