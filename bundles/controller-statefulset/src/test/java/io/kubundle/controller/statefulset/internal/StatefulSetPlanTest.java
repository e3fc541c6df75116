package io.kubundle.controller.statefulset.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.controller.statefulset.internal.StatefulSetPlan.Create;
import io.kubundle.controller.statefulset.internal.StatefulSetPlan.Delete;
import io.kubundle.controller.statefulset.internal.StatefulSetPlan.PodState;
import io.kubundle.controller.statefulset.internal.StatefulSetPlan.Spec;

class StatefulSetPlanTest {
    private static Map<Integer, PodState> ready(String revision, int... ordinals) {
        Map<Integer, PodState> pods = new HashMap<>();
        for (int ordinal : ordinals) {
            pods.put(ordinal, new PodState(ordinal, revision, false, true, false));
        }
        return pods;
    }

    @Test
    void orderedReadyCreatesOneAtATimeWaitingForReady() {
        Spec spec = new Spec(3, 0, false, "r1", "r1");
        assertEquals(List.of(new Create(0, "r1")), StatefulSetPlan.next(spec, Map.of()));
        Map<Integer, PodState> starting = Map.of(0, new PodState(0, "r1", false, false, false));
        assertEquals(List.of(), StatefulSetPlan.next(spec, starting), "web-0 not ready: wait");
        assertEquals(List.of(new Create(1, "r1")), StatefulSetPlan.next(spec, ready("r1", 0)));
        assertEquals(List.of(), StatefulSetPlan.next(spec, ready("r1", 0, 1, 2)));
    }

    @Test
    void parallelCreatesAndDeletesAllAtOnce() {
        Spec spec = new Spec(3, 0, true, "r1", "r1");
        assertEquals(List.of(new Create(0, "r1"), new Create(1, "r1"), new Create(2, "r1")), StatefulSetPlan.next(spec, Map.of()));
        assertEquals(List.of(new Delete(4), new Delete(3)), StatefulSetPlan.next(spec, ready("r1", 0, 1, 2, 3, 4)));
    }

    @Test
    void scaleDownRemovesTheHighestOrdinalFirstOneAtATime() {
        Spec spec = new Spec(1, 0, false, "r1", "r1");
        assertEquals(List.of(new Delete(2)), StatefulSetPlan.next(spec, ready("r1", 0, 1, 2)));
        Map<Integer, PodState> going = ready("r1", 0, 1);
        going.put(2, new PodState(2, "r1", true, true, false));
        assertEquals(List.of(), StatefulSetPlan.next(spec, going), "web-2 still terminating: web-1 waits");
    }

    @Test
    void aFailedPodIsDeletedToBeMadeAgain() {
        Map<Integer, PodState> pods = ready("r1", 0, 2);
        pods.put(1, new PodState(1, "r1", false, false, true));
        assertEquals(List.of(new Delete(1)), StatefulSetPlan.next(new Spec(3, 0, false, "r1", "r1"), pods));
    }

    @Test
    void aRollingUpdateGoesFromTheHighestOrdinalDownToThePartitionOneAtATime() {
        Spec partitioned = new Spec(3, 2, false, "r1", "r2");
        assertEquals(List.of(new Delete(2)), StatefulSetPlan.next(partitioned, ready("r1", 0, 1, 2)));
        Map<Integer, PodState> updated = ready("r1", 0, 1);
        updated.putAll(ready("r2", 2));
        assertEquals(List.of(), StatefulSetPlan.next(partitioned, updated), "ordinals below the partition stay");
        assertEquals(List.of(new Create(2, "r2")), StatefulSetPlan.next(partitioned, ready("r1", 0, 1)));
        Spec all = new Spec(3, 0, false, "r1", "r2");
        assertEquals(List.of(new Delete(1)), StatefulSetPlan.next(all, updated));
        Map<Integer, PodState> notReady = ready("r1", 0, 1);
        notReady.put(2, new PodState(2, "r2", false, false, false));
        assertEquals(List.of(), StatefulSetPlan.next(all, notReady), "waits for web-2 to be ready");
        Map<Integer, PodState> readyNotYetAvailable = ready("r1", 0, 1);
        readyNotYetAvailable.put(2, new PodState(2, "r2", false, true, false, false));
        assertEquals(List.of(), StatefulSetPlan.next(all, readyNotYetAvailable),
                "OrderedReady waits for web-2 to have been ready for minReadySeconds");
        assertEquals(List.of(new Delete(1)), StatefulSetPlan.next(new Spec(3, 0, true, "r1", "r2"), readyNotYetAvailable),
                "Parallel only waits for readiness");
        assertEquals("r1", partitioned.revisionFor(1), "a pod made again below the partition keeps the current revision");
        assertEquals("r2", new Spec(3, null, false, "r1", "r2").revisionFor(0), "OnDelete makes new pods at the update revision");
        assertEquals(List.of(), StatefulSetPlan.next(new Spec(3, null, false, "r1", "r2"), ready("r1", 0, 1, 2)), "OnDelete waits");
    }

    @Test
    void ordinalsAndClaimNames() {
        assertEquals(2, StatefulPods.ordinal("web", "web-2"));
        assertEquals(-1, StatefulPods.ordinal("web", "web-02"));
        assertEquals(-1, StatefulPods.ordinal("web", "webby-2"));
        assertEquals(-1, StatefulPods.ordinal("web", "web-x"));
        assertEquals("www-web-1", StatefulPods.claimName("www", "web", 1));
    }
}
