package io.kubundle.controller.gc.internal;

import java.util.List;

/**
 * What the collector does about one object, decided from the graph alone (the collector then
 * confirms absent owners with the server before it deletes anything).
 */
final class Decisions {
    static final String FOREGROUND_DELETION = "foregroundDeletion";
    static final String ORPHAN = "orphan";

    private Decisions() {
    }

    /** One step for the collector. */
    sealed interface Step {
    }

    /** Delete these dependents of an owner in foreground deletion (each in the foreground too). */
    record DeleteDependents(List<OwnerGraph.Node> dependents) implements Step {
    }

    /** The owner's foreground deletion has no dependents left to wait for: drop its finalizer. */
    record FinishForeground() implements Step {
    }

    /** Remove the owner reference to the deleted owner from these dependents, then drop the orphan finalizer. */
    record Orphan(List<OwnerGraph.Node> dependents) implements Step {
    }

    /** None of the owners is known: check them with the server, and delete the object if they are gone. */
    record CheckOwners(List<OwnerGraph.OwnerRef> absent, boolean allAbsent) implements Step {
    }

    /** Nothing to do. */
    record Nothing() implements Step {
    }

    static Step decide(OwnerGraph graph, OwnerGraph.Node node) {
        if (node.waitsFor(ORPHAN)) {
            return new Orphan(graph.dependentsOf(node.uid()));
        }
        if (node.waitsFor(FOREGROUND_DELETION)) {
            List<OwnerGraph.Node> dependents = graph.dependentsOf(node.uid());
            if (dependents.isEmpty()) {
                return new FinishForeground();
            }
            List<OwnerGraph.Node> toDelete = dependents.stream().filter(dependent -> !dependent.deleting()).toList();
            // dependents already being deleted are waited for: their removal brings the owner back here
            return new DeleteDependents(toDelete);
        }
        if (node.owners().isEmpty() || node.deleting()) {
            return new Nothing();
        }
        List<OwnerGraph.OwnerRef> absent = node.owners().stream().filter(owner -> !graph.contains(owner.uid())).toList();
        if (absent.isEmpty()) {
            return new Nothing();
        }
        return new CheckOwners(absent, absent.size() == node.owners().size());
    }
}
