package io.kubundle.api.scheduler;

import java.util.Objects;
import java.util.Set;

/**
 * What a {@link PreFilter} decided.
 *
 * @param status success, skip (the plugin's Filter is not needed for this pod) or a rejection
 * @param nodeNames the only nodes worth filtering, or null for all
 */
public record PreFilterResult(Status status, Set<String> nodeNames) {
    private static final PreFilterResult SUCCESS = new PreFilterResult(Status.success(), null);
    private static final PreFilterResult SKIP = new PreFilterResult(Status.skip(), null);

    public PreFilterResult {
        Objects.requireNonNull(status, "status");
        nodeNames = nodeNames == null ? null : Set.copyOf(nodeNames);
    }

    /** Go on with every node. */
    public static PreFilterResult success() {
        return SUCCESS;
    }

    /** The plugin has nothing to check for this pod: its Filter is skipped. */
    public static PreFilterResult skip() {
        return SKIP;
    }

    /** Only these nodes can fit. */
    public static PreFilterResult only(Set<String> nodeNames) {
        return new PreFilterResult(Status.success(), Objects.requireNonNull(nodeNames, "nodeNames"));
    }

    /** The attempt ends: no node can fit, for the status's reasons. */
    public static PreFilterResult reject(Status status) {
        return new PreFilterResult(status, null);
    }
}
