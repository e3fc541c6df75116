package io.kubundle.controller.volume.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Status;

class VolumeBindingTest {
    @Test
    void claimsAreReadFromThePod() {
        Map<String, Object> pod = Map.of("spec", Map.of("volumes", List.of(Map.of("name", "a", "emptyDir", Map.of()),
                Map.of("name", "b", "persistentVolumeClaim", Map.of("claimName", "data")))));
        assertEquals(List.of("data"), VolumeBinding.claimNames(pod));
        assertEquals(List.of(), VolumeBinding.claimNames(Map.of()));
    }

    @Test
    void onlyNodesTheBoundVolumesAllowPass() {
        CycleState state = new CycleState();
        state.put(VolumeBinding.NAME, List.of(new LocalPath(java.nio.file.Path.of("/s")).volumeFor(
                BinderTest.claim("c", "1Gi", "local-path"), "local-path", "Delete", new Binder.Node("a", Map.of()))));
        VolumeBinding plugin = new VolumeBinding();
        PodInfo pod = PodInfo.builder("ns", "p").build();
        assertTrue(plugin.filter(state, pod, NodeInfo.builder("a").labels(Map.of(Binder.HOSTNAME, "a")).build()).isSuccess());
        Status rejected = plugin.filter(state, pod, NodeInfo.builder("b").labels(Map.of(Binder.HOSTNAME, "b")).build());
        assertEquals(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE, rejected.code());
        assertEquals("node(s) had volume node affinity conflict", rejected.message());
        assertTrue(plugin.filter(new CycleState(), pod, NodeInfo.builder("b").build()).isSuccess());
    }
}
