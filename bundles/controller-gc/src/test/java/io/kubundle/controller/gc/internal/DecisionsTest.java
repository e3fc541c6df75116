package io.kubundle.controller.gc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kubundle.controller.gc.internal.OwnerGraph.Node;
import io.kubundle.controller.gc.internal.OwnerGraph.OwnerRef;

class DecisionsTest {
    private final OwnerGraph graph = new OwnerGraph();

    private static Node object(String uid, List<OwnerRef> owners, boolean deleting, String... finalizers) {
        return new Node(uid, "apps/v1/replicasets", "apps/v1", "ReplicaSet", "default", "name-" + uid, owners, deleting,
                List.of(finalizers));
    }

    private static OwnerRef ref(String uid) {
        return new OwnerRef("apps/v1", "Deployment", "owner-" + uid, uid, true);
    }

    @Test
    void anObjectWithoutOwnersIsLeftAlone() {
        Node alone = object("a", List.of(), false);
        graph.put(alone);
        assertInstanceOf(Decisions.Nothing.class, Decisions.decide(graph, alone));
    }

    @Test
    void anObjectWhoseOwnersAreAllUnknownIsCheckedForDeletion() {
        Node dependent = object("d", List.of(ref("gone")), false);
        graph.put(dependent);
        Decisions.CheckOwners check = assertInstanceOf(Decisions.CheckOwners.class, Decisions.decide(graph, dependent));
        assertTrue(check.allAbsent());
        assertEquals("gone", check.absent().get(0).uid());
    }

    @Test
    void anObjectWithOneOwnerLeftOnlyLosesTheDanglingReference() {
        graph.put(object("live", List.of(), false));
        Node dependent = object("d", List.of(ref("gone"), ref("live")), false);
        graph.put(dependent);
        Decisions.CheckOwners check = assertInstanceOf(Decisions.CheckOwners.class, Decisions.decide(graph, dependent));
        assertEquals(false, check.allAbsent());
        assertEquals(List.of("gone"), check.absent().stream().map(OwnerRef::uid).toList());
    }

    @Test
    void foregroundDeletionDeletesDependentsThenFinishes() {
        Node owner = object("o", List.of(), true, Decisions.FOREGROUND_DELETION);
        graph.put(owner);
        graph.put(object("d1", List.of(ref("o")), false));
        graph.put(object("d2", List.of(ref("o")), true, "hold"));
        Decisions.DeleteDependents delete = assertInstanceOf(Decisions.DeleteDependents.class, Decisions.decide(graph, owner));
        assertEquals(List.of("d1"), delete.dependents().stream().map(Node::uid).toList(), "d2 is already going: it is waited for");

        graph.remove("d1");
        assertInstanceOf(Decisions.DeleteDependents.class, Decisions.decide(graph, owner), "still waiting for d2");
        graph.remove("d2");
        assertInstanceOf(Decisions.FinishForeground.class, Decisions.decide(graph, owner));
    }

    @Test
    void orphanDeletionReleasesEveryDependent() {
        Node owner = object("o", List.of(), true, Decisions.ORPHAN);
        graph.put(owner);
        graph.put(object("d1", List.of(ref("o")), false));
        Decisions.Orphan orphan = assertInstanceOf(Decisions.Orphan.class, Decisions.decide(graph, owner));
        assertEquals(List.of("d1"), orphan.dependents().stream().map(Node::uid).toList());
    }

    @Test
    void theGraphFollowsChangedOwnerReferences() {
        graph.put(object("d", List.of(ref("o1")), false));
        assertEquals(1, graph.dependentsOf("o1").size());
        graph.put(object("d", List.of(ref("o2")), false));
        assertTrue(graph.dependentsOf("o1").isEmpty(), "the old reference is unlinked");
        assertEquals(1, graph.dependentsOf("o2").size());
        graph.remove("d");
        assertTrue(graph.dependentsOf("o2").isEmpty());
        assertEquals(0, graph.size());
    }
}
