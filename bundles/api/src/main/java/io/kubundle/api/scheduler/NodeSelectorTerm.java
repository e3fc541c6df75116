package io.kubundle.api.scheduler;

import java.util.List;
import java.util.Map;

/**
 * A node selector term: all of its requirements must hold. {@code matchFields} knows only
 * {@code metadata.name}, as in Kubernetes. A term with no requirement matches no node.
 */
public record NodeSelectorTerm(List<NodeSelectorRequirement> matchExpressions, List<NodeSelectorRequirement> matchFields) {
    public NodeSelectorTerm {
        matchExpressions = matchExpressions == null ? List.of() : List.copyOf(matchExpressions);
        matchFields = matchFields == null ? List.of() : List.copyOf(matchFields);
    }

    public boolean matches(NodeInfo node) {
        if (matchExpressions.isEmpty() && matchFields.isEmpty()) {
            return false;
        }
        for (NodeSelectorRequirement requirement : matchExpressions) {
            if (!requirement.matches(node.labels())) {
                return false;
            }
        }
        if (!matchFields.isEmpty()) {
            Map<String, String> fields = Map.of("metadata.name", node.name());
            for (NodeSelectorRequirement requirement : matchFields) {
                if (!requirement.matches(fields)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether any of the terms matches the node (the terms of one selector are ORed). */
    public static boolean anyMatches(List<NodeSelectorTerm> terms, NodeInfo node) {
        for (NodeSelectorTerm term : terms) {
            if (term.matches(node)) {
                return true;
            }
        }
        return false;
    }
}
