package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What Kubernetes does for objects moving from client-side {@code kubectl apply} (which keeps
 * its configuration in the {@code last-applied-configuration} annotation) to {@code kubectl
 * apply --server-side}, for the field manager {@code kubectl} only (another manager opts out):
 * conflicts on fields of the last applied configuration are no conflicts while the object has
 * not drifted from it, and the annotation follows each server-side apply, so that client-side
 * apply still works afterwards.
 */
final class ClientSideApply {
    static final String ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
    private static final String KUBECTL = "kubectl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClientSideApply() {
    }

    /**
     * Whether {@code kubectl}'s apply may take the conflicting fields: they are all in the last
     * applied configuration, and every value that configuration sets is still the live one.
     */
    static boolean handsOver(String manager, ObjectNode live, ManagedFields.Tree liveTree, Collection<Set<List<String>>> conflicts,
            ManagedFields.Scope scope) {
        ObjectNode lastApplied = lastApplied(live);
        if (!manager.equals(KUBECTL) || lastApplied == null) {
            return false;
        }
        ManagedFields.Tree applied = ManagedFields.walk(lastApplied, scope);
        for (Set<List<String>> fields : conflicts) {
            if (!applied.members.containsAll(fields)) {
                return false;
            }
        }
        for (List<String> leaf : applied.leaves) {
            if (!ManagedFields.sameValue(applied.nodes.get(leaf), liveTree.nodes.get(leaf))) {
                return false;
            }
        }
        return true;
    }

    /** After {@code kubectl}'s apply of {@code config}: the annotation, where there is one, becomes that configuration. */
    static void keepInStep(String manager, ObjectNode live, ObjectNode next, ObjectNode config) {
        if (!manager.equals(KUBECTL) || live == null || lastApplied(live) == null) {
            return;
        }
        ObjectNode value = config.deepCopy();
        ObjectNode annotations = value.with("metadata").with("annotations");
        annotations.remove(ANNOTATION);
        if (annotations.isEmpty()) {
            value.with("metadata").remove("annotations");
        }
        next.with("metadata").with("annotations").put(ANNOTATION, value + "\n");
    }

    private static ObjectNode lastApplied(ObjectNode object) {
        JsonNode text = object.path("metadata").path("annotations").path(ANNOTATION);
        if (!text.isTextual() || text.asText().isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text.asText()) instanceof ObjectNode applied ? applied : null;
        } catch (IOException e) {
            return null;
        }
    }
}
