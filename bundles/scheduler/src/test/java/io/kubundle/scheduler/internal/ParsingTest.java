package io.kubundle.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Resources;

class ParsingTest {
    private final ObjectMapper json = new ObjectMapper();

    private ObjectNode read(String text) throws Exception {
        return (ObjectNode) json.readTree(text.replace('\'', '"'));
    }

    @Test
    void podRequestsAreKubernetesEffectiveRequests() throws Exception {
        PodInfo pod = Parsing.pod(read("""
                {'metadata': {'name': 'web', 'namespace': 'shop', 'uid': 'u1', 'labels': {'app': 'web'},
                  'ownerReferences': [{'apiVersion': 'apps/v1', 'kind': 'ReplicaSet', 'name': 'web-1', 'uid': 'rs', 'controller': true}]},
                 'spec': {'schedulerName': 'custom', 'priority': 7,
                  'containers': [{'name': 'a', 'resources': {'requests': {'cpu': '250m', 'memory': '64Mi'}}},
                                 {'name': 'b', 'resources': {'requests': {'cpu': '0.5'}}}],
                  'initContainers': [{'name': 'init', 'resources': {'requests': {'cpu': '2', 'memory': '1Mi'}}}],
                  'overhead': {'cpu': '10m'},
                  'nodeSelector': {'disktype': 'ssd'},
                  'tolerations': [{'key': 'k', 'operator': 'Exists', 'effect': 'NoSchedule'}]}}"""));
        assertEquals("shop", pod.namespace());
        assertEquals("custom", pod.schedulerName());
        assertEquals(7, pod.priority());
        assertEquals(2010, pod.requests().milliCpu(), "the init container's 2 CPUs, plus the overhead");
        assertEquals(64L << 20, pod.requests().memory());
        assertEquals(2010, pod.nonZeroMilliCpu());
        assertEquals((64L << 20) + PodInfo.DEFAULT_MEMORY_REQUEST, pod.nonZeroMemory(), "container b counts 200 MiB when scoring");
        assertEquals(Map.of("disktype", "ssd"), pod.nodeSelector());
        assertEquals("rs", pod.controller().uid());
        assertEquals(1, pod.tolerations().size());
        assertEquals("web", ((Map<?, ?>) pod.object().get("metadata")).get("name"));
    }

    @Test
    void nodesWithTaintsAndAllocatable() throws Exception {
        NodeInfo node = Parsing.node(read("""
                {'metadata': {'name': 'sim-1', 'labels': {'disktype': 'ssd'}},
                 'spec': {'unschedulable': true, 'taints': [{'key': 'node-role.kubernetes.io/control-plane', 'effect': 'NoSchedule'}]},
                 'status': {'allocatable': {'cpu': '32', 'memory': '256Gi', 'pods': '110', 'nvidia.com/gpu': '2'}}}"""));
        assertEquals(32_000, node.allocatable().milliCpu());
        assertEquals(256L << 30, node.allocatable().memory());
        assertEquals(110, node.allowedPods());
        assertEquals(2, node.allocatable().get("nvidia.com/gpu"));
        assertTrue(node.unschedulable());
        assertEquals("", node.taints().get(0).value());
    }

    @Test
    void onlySchedulingRelevantNodeChangesCount() throws Exception {
        ObjectNode before = read("{'metadata': {'name': 'n', 'labels': {'a': 'b'}}, 'status': {'conditions': [{'type': 'Ready'}]}}");
        ObjectNode heartbeat = read("{'metadata': {'name': 'n', 'labels': {'a': 'b'}}, 'status': {'conditions': [{'type': 'Ready', 'x': 1}]}}");
        ObjectNode labelled = read("{'metadata': {'name': 'n', 'labels': {'a': 'c'}}}");
        assertFalse(Parsing.schedulingRelevantChange(before, heartbeat));
        assertTrue(Parsing.schedulingRelevantChange(before, labelled));
    }

    @Test
    void quantities() {
        assertEquals(1500, Resources.milliValue("1.5"));
        assertEquals(1, Resources.milliValue("1m"));
        assertEquals(1000, Resources.value("1k"));
        assertEquals(1000, Resources.value("1e3"));
        assertEquals(1L << 30, Resources.value("1Gi"));
        assertEquals(1, Resources.value("100m"), "rounded up");
    }
}
