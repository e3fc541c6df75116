package io.kubundle.runtime.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;

class SimulatedNodesTest {
    private static SimulatedNodes.Settings settings(Map<String, String> labels, List<Taint> taints) {
        return new SimulatedNodes.Settings("sim", 1, 10, "32", "256Gi", 110, labels, taints);
    }

    @Test
    void aPlainNodeRegistersWithTheKubeletsLabelsAndNoTaints() {
        Node node = SimulatedNodes.newNode("sim-0", settings(Map.of(), List.of()));
        assertEquals(Map.of("kubernetes.io/hostname", "sim-0", "kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64",
                "node.kubundle.io/simulated", "true"), node.getMetadata().getLabels());
        assertNull(node.getSpec().getTaints());
    }

    @Test
    void aControlPlaneNodeRegistersWithItsRoleLabelAndTaints() {
        Taint controlPlane = new Taint("NoSchedule", "node-role.kubernetes.io/control-plane", null, null);
        Taint master = new Taint("NoSchedule", "node-role.kubernetes.io/master", null, "");
        Node node = SimulatedNodes.newNode("k8s-master-0", settings(Map.of("node-role.kubernetes.io/control-plane", ""),
                List.of(controlPlane, master)));
        assertEquals("", node.getMetadata().getLabels().get("node-role.kubernetes.io/control-plane"));
        assertEquals("k8s-master-0", node.getMetadata().getLabels().get("kubernetes.io/hostname"));
        assertEquals(List.of(controlPlane, master), node.getSpec().getTaints());
    }
}
