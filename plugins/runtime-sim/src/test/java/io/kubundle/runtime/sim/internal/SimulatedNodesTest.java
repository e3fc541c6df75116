package io.kubundle.runtime.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.api.transport.StreamListener;
import io.kubundle.client.kube.KubeClient;

class SimulatedNodesTest {
    private static SimulatedNodes.Settings settings(Map<String, String> labels, List<Taint> taints) {
        return new SimulatedNodes.Settings("sim", 1, 10, "32", "256Gi", 110, labels, taints);
    }

    /** A transport that answers every call with an empty object and remembers {@code METHOD uri}. */
    private static final class Recording implements ApiTransport {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public ApiReply send(ApiCall call) {
            calls.add(call.method() + " " + call.uri());
            return new ApiReply(200, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public ApiStream stream(ApiCall call, StreamListener listener) throws IOException {
            throw new IOException("no watches here");
        }
    }

    @Test
    void nodesOfAnotherProcessListedInTheSharedStoppedListAreLeftAlone() throws Exception {
        Recording transport = new Recording();
        SimulatedNodes nodes = new SimulatedNodes(new KubeClient(transport),
                new SimulatedNodes.Settings("k8s-master", 1, 10, "32", "256Gi", 110, Map.of(), List.of()), Set.of("node-0"));
        try {
            assertEquals(Set.of(), nodes.stopped());
            nodes.setStopped(Set.of("node-0", "k8s-master-0", "k8s-master-00"));
            assertEquals(Set.of("k8s-master-0"), nodes.stopped());
            nodes.setStopped(Set.of());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (transport.calls.stream().noneMatch(call -> call.contains("/nodes/k8s-master-0/status"))) {
                assertTrue(System.nanoTime() < deadline, "k8s-master-0 reports after its restart: " + transport.calls);
                Thread.sleep(20);
            }
            Thread.sleep(200);
            assertTrue(transport.calls.stream().noneMatch(call -> call.contains("/node-0")), "nothing for node-0: " + transport.calls);
        } finally {
            nodes.close();
        }
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
