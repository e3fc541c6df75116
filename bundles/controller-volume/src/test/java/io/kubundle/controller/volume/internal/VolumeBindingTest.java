package io.kubundle.controller.volume.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PreFilterResult;
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

    private final Map<String, PersistentVolumeClaim> claims = new java.util.HashMap<>();
    private final Map<String, PersistentVolume> volumes = new java.util.HashMap<>();
    private final Map<String, ObjectNode> classes = Map.of(StorageClasses.LOCAL_PATH, StorageClasses.localPath());

    private PreFilterResult preFilter(CycleState state, String... names) {
        return VolumeBinding.preFilter(state, List.of(names), name -> Optional.ofNullable(claims.get(name)),
                name -> Optional.ofNullable(volumes.get(name)), name -> Optional.ofNullable(classes.get(name)));
    }

    @Test
    void preFilterHoldsBackMissingAndUnboundImmediateClaimsAndPinsTheRest() {
        assertEquals("persistentvolumeclaim \"gone\" not found", preFilter(new CycleState(), "gone").status().message());
        claims.put("manual", BinderTest.claim("manual", "1Gi", "manual"));
        PreFilterResult immediate = preFilter(new CycleState(), "manual");
        assertEquals(Status.Code.ERROR, immediate.status().code(), "an error: retried after the back-off");
        assertEquals("pod has unbound immediate PersistentVolumeClaims", immediate.status().message());

        claims.put("waiting", BinderTest.claim("waiting", "1Gi", StorageClasses.LOCAL_PATH));
        CycleState state = new CycleState();
        assertTrue(preFilter(state, "waiting").status().isSkip(), "free to go anywhere, then Permit waits for the volume");
        assertEquals(List.of(claims.get("waiting")), state.get("VolumeBinding/unbound"));

        claims.put("chosen", new PersistentVolumeClaimBuilder(BinderTest.claim("chosen", "1Gi", StorageClasses.LOCAL_PATH)).editMetadata()
                .addToAnnotations(Binder.SELECTED_NODE, "b").endMetadata().build());
        assertEquals(java.util.Set.of("b"), preFilter(new CycleState(), "waiting", "chosen").nodeNames());

        PersistentVolume pinned = new LocalPath(java.nio.file.Path.of("/s")).volumeFor(BinderTest.claim("bound", "1Gi", "local-path"),
                "local-path", "Delete", new Binder.Node("a", Map.of()));
        volumes.put(pinned.getMetadata().getName(), pinned);
        claims.put("bound", new PersistentVolumeClaimBuilder(BinderTest.claim("bound", "1Gi", StorageClasses.LOCAL_PATH)).editSpec()
                .withVolumeName(pinned.getMetadata().getName()).endSpec().build());
        state = new CycleState();
        assertTrue(preFilter(state, "bound").status().isSuccess());
        assertEquals(List.of(pinned), state.get(VolumeBinding.NAME));
        assertFalse(new VolumeBinding().filter(state, PodInfo.builder("ns", "p").build(), NodeInfo.builder("b")
                .labels(Map.of(Binder.HOSTNAME, "b")).build()).isSuccess());
    }
}
