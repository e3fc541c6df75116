package io.kubundle.api.scheduler;

import java.util.List;

/**
 * A pod's node affinity.
 *
 * @param required {@code requiredDuringSchedulingIgnoredDuringExecution}'s terms (any must match),
 *        or null when there is no requirement
 * @param preferred the weighted preferred terms
 */
public record NodeAffinity(List<NodeSelectorTerm> required, List<Preferred> preferred) {
    public static final NodeAffinity NONE = new NodeAffinity(null, List.of());

    public NodeAffinity {
        required = required == null ? null : List.copyOf(required);
        preferred = preferred == null ? List.of() : List.copyOf(preferred);
    }

    /** A preferred term and its weight (1-100). */
    public record Preferred(int weight, NodeSelectorTerm term) {
    }
}
