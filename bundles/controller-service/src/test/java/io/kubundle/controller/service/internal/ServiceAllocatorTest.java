package io.kubundle.controller.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.admission.AdmissionInvalidException;

class ServiceAllocatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MemoryStores.Ips ips = new MemoryStores.Ips();
    private final MemoryStores.Ports ports = new MemoryStores.Ports();
    private final ServiceAllocator allocator = new ServiceAllocator(new ClusterIps(Cidr.parse("10.96.0.0/12"), ips, new Random()),
            new NodePorts(PortRange.parse("30000-32767"), ports, new Random()));

    private static ObjectNode service(String name, String spec) throws Exception {
        return (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"default\"},\"spec\":" + spec + "}");
    }

    @Test
    void aClusterIpServiceGetsAnAddressAndKubernetesDefaults() throws Exception {
        ObjectNode web = service("web", "{\"type\":\"ClusterIP\",\"ports\":[{\"port\":80,\"protocol\":\"TCP\"}]}");
        allocator.admit(web, null);
        String ip = web.path("spec").path("clusterIP").asText();
        assertTrue(Cidr.parse("10.96.0.0/12").isUsable(ip), ip);
        assertEquals(ip, web.path("spec").path("clusterIPs").path(0).asText());
        assertEquals("[\"IPv4\"]", web.path("spec").path("ipFamilies").toString());
        assertEquals("SingleStack", web.path("spec").path("ipFamilyPolicy").asText());
        assertEquals("Cluster", web.path("spec").path("internalTrafficPolicy").asText());
        assertFalse(web.path("spec").has("externalTrafficPolicy"));
        assertFalse(web.path("spec").path("ports").path(0).has("nodePort"));
        assertEquals(new Owner("default", "web"), ips.entries.get(ip).owner());
    }

    @Test
    void headlessAndExternalNameGetNoAddress() throws Exception {
        ObjectNode headless = service("db", "{\"type\":\"ClusterIP\",\"clusterIP\":\"None\",\"ports\":[{\"port\":5432}]}");
        allocator.admit(headless, null);
        assertEquals("[\"None\"]", headless.path("spec").path("clusterIPs").toString());
        ObjectNode external = service("ext", "{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}");
        allocator.admit(external, null);
        assertFalse(external.path("spec").has("clusterIP"));
        assertFalse(external.path("spec").has("ipFamilies"));
        assertTrue(ips.entries.isEmpty());
    }

    @Test
    void nodePortAndLoadBalancerServicesGetAPortPerServicePort() throws Exception {
        ObjectNode lb = service("lb", "{\"type\":\"LoadBalancer\",\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\"},"
                + "{\"name\":\"dns\",\"port\":53,\"protocol\":\"UDP\",\"nodePort\":30053}]}");
        allocator.admit(lb, null);
        int first = lb.path("spec").path("ports").path(0).path("nodePort").asInt();
        assertTrue(first >= 30000 && first <= 32767);
        assertEquals(30053, lb.path("spec").path("ports").path(1).path("nodePort").asInt());
        assertEquals("Cluster", lb.path("spec").path("externalTrafficPolicy").asText());
        assertTrue(lb.path("spec").path("allocateLoadBalancerNodePorts").asBoolean());
        ObjectNode noPorts = service("lb2", "{\"type\":\"LoadBalancer\",\"allocateLoadBalancerNodePorts\":false,\"ports\":[{\"port\":80}]}");
        allocator.admit(noPorts, null);
        assertFalse(noPorts.path("spec").path("ports").path(0).has("nodePort"));
    }

    @Test
    void conflictsAreInvalidWithTheFieldAndKubernetesWords() throws Exception {
        allocator.admit(service("a", "{\"type\":\"NodePort\",\"clusterIP\":\"10.96.0.50\",\"ports\":[{\"port\":80,\"nodePort\":30080}]}"), null);
        AdmissionInvalidException ip = assertThrows(AdmissionInvalidException.class,
                () -> allocator.admit(service("b", "{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.50\",\"ports\":[{\"port\":80}]}"), null));
        assertEquals("spec.clusterIPs[0]", ip.causes().get(0).field());
        assertTrue(ip.causes().get(0).message().contains("provided IP is already allocated"), ip.getMessage());
        AdmissionInvalidException port = assertThrows(AdmissionInvalidException.class,
                () -> allocator.admit(service("c", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30080}]}"), null));
        assertEquals("spec.ports[0].nodePort", port.causes().get(0).field());
        assertEquals("Invalid value: 30080: provided port is already allocated", port.causes().get(0).message());
        assertEquals(1, ips.entries.size(), "the refused Service's address went back: " + ips.entries.keySet());
        AdmissionInvalidException range = assertThrows(AdmissionInvalidException.class,
                () -> allocator.admit(service("d", "{\"type\":\"ClusterIP\",\"clusterIP\":\"192.168.0.1\",\"ports\":[{\"port\":80}]}"), null));
        assertTrue(range.getMessage().contains("not in the valid range"), range.getMessage());
        AdmissionInvalidException none = assertThrows(AdmissionInvalidException.class,
                () -> allocator.admit(service("e", "{\"type\":\"NodePort\",\"clusterIP\":\"None\",\"ports\":[{\"port\":80}]}"), null));
        assertTrue(none.getMessage().contains("may not be set to 'None' for NodePort services"), none.getMessage());
    }

    @Test
    void updatesKeepTheAddressAndPortsAndRefuseChangingTheAddress() throws Exception {
        ObjectNode stored = service("web", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"protocol\":\"TCP\"}]}");
        allocator.admit(stored, null);
        ObjectNode replaced = service("web", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"protocol\":\"TCP\"}]}");
        allocator.admit(replaced, stored);
        assertEquals(stored.path("spec").path("clusterIP"), replaced.path("spec").path("clusterIP"));
        assertEquals(stored.path("spec").path("ports").path(0).path("nodePort"), replaced.path("spec").path("ports").path(0).path("nodePort"));
        ObjectNode moved = stored.deepCopy();
        moved.with("spec").put("clusterIP", "10.96.0.99").putArray("clusterIPs").add("10.96.0.99");
        AdmissionInvalidException immutable = assertThrows(AdmissionInvalidException.class, () -> allocator.admit(moved, stored));
        assertTrue(immutable.getMessage().contains("spec.clusterIP: Invalid value: \"10.96.0.99\": field is immutable"), immutable.getMessage());
        ObjectNode back = stored.deepCopy();
        back.with("spec").put("type", "ClusterIP");
        allocator.admit(back, stored);
        assertFalse(back.path("spec").path("ports").path(0).has("nodePort"), "a ClusterIP Service has no node port");
        assertFalse(back.path("spec").has("externalTrafficPolicy"));
    }

    @Test
    void theKubernetesServiceTakesTheFirstAddress() throws Exception {
        KubernetesService kubernetes = new KubernetesService(Cidr.parse("10.96.0.0/12").at(1), "192.0.2.5", 6443);
        ObjectNode service = kubernetes.service();
        allocator.admit(service, null);
        assertEquals("10.96.0.1", service.path("spec").path("clusterIP").asText());
        assertEquals(6443, service.path("spec").path("ports").path(0).path("targetPort").asInt());
        assertEquals("192.0.2.5", kubernetes.endpoints().path("subsets").path(0).path("addresses").path(0).path("ip").asText());
        assertFalse(EndpointsPlan.hasSelector(service), "its Endpoints are the API server's, not a selector's");
    }
}
