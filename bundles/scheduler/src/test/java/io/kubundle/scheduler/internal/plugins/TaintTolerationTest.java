package io.kubundle.scheduler.internal.plugins;

import static io.kubundle.scheduler.internal.Fixtures.node;
import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Status;
import io.kubundle.api.scheduler.Taint;
import io.kubundle.api.scheduler.Toleration;

class TaintTolerationTest {
    private final TaintToleration plugin = new TaintToleration();
    private final NodeInfo controlPlane = node("cp", "4", "8Gi", new Taint(TaintToleration.CONTROL_PLANE_TAINT, "", Taint.NO_SCHEDULE));
    private final NodeInfo oldMaster = node("m", "4", "8Gi", new Taint(TaintToleration.MASTER_TAINT, "", Taint.NO_SCHEDULE));

    private static PodInfo tolerating(Toleration... tolerations) {
        return pod("p").toBuilder().tolerations(List.of(tolerations)).build();
    }

    @Test
    void untoleratedNoScheduleTaintsKeepPodsOff() {
        Status status = plugin.filter(new CycleState(), pod("p"), controlPlane);
        assertEquals(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, status.code());
        assertEquals("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }", status.message());
        assertEquals("node(s) had untolerated taint {node-role.kubernetes.io/master: }", plugin.filter(new CycleState(), pod("p"), oldMaster)
                .message());
        NodeInfo noExecute = node("x", "4", "8Gi", new Taint("dedicated", "gpu", Taint.NO_EXECUTE));
        assertEquals("node(s) had untolerated taint {dedicated: gpu}", plugin.filter(new CycleState(), pod("p"), noExecute).message());
    }

    @Test
    void tolerationsLetPodsOn() {
        PodInfo controlPlanePod = tolerating(new Toleration(TaintToleration.CONTROL_PLANE_TAINT, "Exists", null, "NoSchedule", null));
        assertTrue(plugin.filter(new CycleState(), controlPlanePod, controlPlane).isSuccess());
        assertTrue(plugin.filter(new CycleState(), controlPlanePod, oldMaster).isRejected(), "the old taint needs its own toleration");
        PodInfo both = tolerating(new Toleration(TaintToleration.CONTROL_PLANE_TAINT, "Exists", null, "NoSchedule", null),
                new Toleration(TaintToleration.MASTER_TAINT, "Exists", null, "NoSchedule", null));
        assertTrue(plugin.filter(new CycleState(), both, oldMaster).isSuccess());
        assertTrue(plugin.filter(new CycleState(), tolerating(new Toleration("", "Exists", null, null, null)), controlPlane).isSuccess(),
                "an empty key with Exists tolerates everything");
        PodInfo wrongValue = tolerating(new Toleration("dedicated", "Equal", "cpu", "", null));
        assertTrue(plugin.filter(new CycleState(), wrongValue, node("x", "4", "8Gi", new Taint("dedicated", "gpu", Taint.NO_SCHEDULE)))
                .isRejected());
    }

    @Test
    void preferNoScheduleOnlyScores() {
        NodeInfo soft = node("soft", "4", "8Gi", new Taint("spot", "true", Taint.PREFER_NO_SCHEDULE));
        NodeInfo clean = node("clean");
        assertTrue(plugin.filter(new CycleState(), pod("p"), soft).isSuccess());
        CycleState state = new CycleState();
        assertTrue(plugin.preScore(state, pod("p"), null, List.of(soft, clean)).isSuccess());
        long[] scores = {plugin.score(state, pod("p"), soft), plugin.score(state, pod("p"), clean)};
        plugin.normalize(state, pod("p"), List.of(soft, clean), scores);
        assertArrayEquals(new long[] {0, 100}, scores);
        assertTrue(plugin.preScore(new CycleState(), pod("p"), null, List.of(clean)).isSkip(), "nothing to score without such taints");
    }
}
