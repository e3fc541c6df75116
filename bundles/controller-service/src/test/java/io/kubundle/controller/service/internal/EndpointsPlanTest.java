package io.kubundle.controller.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class EndpointsPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode read(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static JsonNode pod(String name, String ip, boolean ready, int httpPort, String extra) throws Exception {
        return read("{'metadata':{'name':'" + name + "','namespace':'default','uid':'u-" + name + "','labels':{'app':'web'}" + extra
                + "},'spec':{'nodeName':'n1','containers':[{'name':'c','ports':[{'name':'http','containerPort':" + httpPort
                + "}]}]},'status':{'phase':'Running','podIP':'" + ip + "','conditions':[{'type':'Ready','status':'" + (ready ? "True" : "False")
                + "'}]}}");
    }

    private static final String SERVICE = "{'metadata':{'name':'web','namespace':'default'},'spec':{'selector':{'app':'web'},"
            + "'ports':[{'name':'web','port':80,'targetPort':'http','protocol':'TCP'},{'name':'metrics','port':9090,'targetPort':9090,'protocol':'TCP'}]}}";

    @Test
    void namedTargetPortsAreResolvedPerPodAndGroupedBySubset() throws Exception {
        List<JsonNode> pods = List.of(pod("a", "10.244.0.3", true, 8080, ""), pod("b", "10.244.0.10", true, 8080, ""),
                pod("c", "10.244.0.2", true, 9000, ""));
        ArrayNode subsets = EndpointsPlan.subsets(read(SERVICE), pods);
        assertEquals(2, subsets.size(), subsets.toString());
        List<String> shapes = new ArrayList<>();
        for (JsonNode subset : subsets) {
            shapes.add(subset.path("ports").path(0).path("port").asInt() + ":" + subset.path("addresses").size());
        }
        assertTrue(shapes.contains("8080:2") && shapes.contains("9000:1"), shapes + " " + subsets);
        assertEquals("Pod", subsets.get(0).path("addresses").path(0).path("targetRef").path("kind").asText());
        assertEquals("n1", subsets.get(0).path("addresses").path(0).path("nodeName").asText());
    }

    @Test
    void addressesAreSortedNumerically() throws Exception {
        ArrayNode subsets = EndpointsPlan.subsets(read(SERVICE), List.of(pod("b", "10.244.0.10", true, 8080, ""),
                pod("a", "10.244.0.9", true, 8080, "")));
        assertEquals("10.244.0.9", subsets.get(0).path("addresses").path(0).path("ip").asText());
    }

    @Test
    void notReadyAndTerminatingPods() throws Exception {
        ObjectNode terminating = (ObjectNode) pod("t", "10.244.0.7", true, 8080, "");
        terminating.with("metadata").put("deletionTimestamp", "2026-12-02T10:00:00Z");
        List<JsonNode> pods = List.of(pod("r", "10.244.0.5", true, 8080, ""), pod("n", "10.244.0.6", false, 8080, ""), terminating,
                read("{'metadata':{'name':'noip','namespace':'default','labels':{'app':'web'}},'status':{'phase':'Pending'}}"));
        JsonNode subset = EndpointsPlan.subsets(read(SERVICE), pods).get(0);
        assertEquals(1, subset.path("addresses").size());
        assertEquals("10.244.0.6", subset.path("notReadyAddresses").path(0).path("ip").asText());
        List<ObjectNode> slices = EndpointsPlan.slices(read(SERVICE), pods);
        assertEquals(1, slices.size());
        JsonNode endpoints = slices.get(0).path("endpoints");
        assertEquals(3, endpoints.size(), "the terminating pod is in the slice: " + endpoints);
        assertEquals("{\"ready\":false,\"serving\":true,\"terminating\":true}", endpoints.get(2).path("conditions").toString());
        assertEquals("{\"ready\":false,\"serving\":false,\"terminating\":false}", endpoints.get(1).path("conditions").toString());
        ObjectNode publishing = (ObjectNode) read(SERVICE);
        publishing.with("spec").put("publishNotReadyAddresses", true);
        JsonNode published = EndpointsPlan.subsets(publishing, pods).get(0);
        assertEquals(3, published.path("addresses").size());
        assertFalse(published.has("notReadyAddresses"));
    }

    @Test
    void hostnamesForPodsInAHeadlessServicesSubdomain() throws Exception {
        JsonNode service = read("{'metadata':{'name':'db','namespace':'default'},'spec':{'clusterIP':'None','selector':{'app':'web'}}}");
        ObjectNode named = (ObjectNode) pod("db-0", "10.244.1.2", true, 8080, "");
        named.with("spec").put("hostname", "db-0").put("subdomain", "db");
        ObjectNode other = (ObjectNode) pod("x", "10.244.1.3", true, 8080, "");
        other.with("spec").put("hostname", "x").put("subdomain", "elsewhere");
        JsonNode addresses = EndpointsPlan.subsets(service, List.of(named, other)).get(0).path("addresses");
        assertEquals("db-0", addresses.get(0).path("hostname").asText());
        assertFalse(addresses.get(1).has("hostname"));
        assertFalse(EndpointsPlan.subsets(service, List.of(named)).get(0).has("ports"), "a Service without ports lists addresses only");
    }

    @Test
    void nothingSelectedGivesAnEmptySubsetListAndOnePlaceholderSlice() throws Exception {
        assertEquals(0, EndpointsPlan.subsets(read(SERVICE), List.of()).size());
        List<ObjectNode> slices = EndpointsPlan.slices(read(SERVICE), List.of());
        assertEquals(1, slices.size());
        assertEquals(0, slices.get(0).path("endpoints").size());
    }

    @Test
    void theSameStateGivesEqualResults() throws Exception {
        List<JsonNode> pods = List.of(pod("a", "10.244.0.3", true, 8080, ""), pod("b", "10.244.0.4", false, 8080, ""));
        assertEquals(EndpointsPlan.subsets(read(SERVICE), pods), EndpointsPlan.subsets(read(SERVICE), List.of(pods.get(1), pods.get(0))));
        assertEquals(EndpointsPlan.slices(read(SERVICE), pods), EndpointsPlan.slices(read(SERVICE), List.of(pods.get(1), pods.get(0))));
    }

    @Test
    void aUsersEndpointsAreMirrored() throws Exception {
        List<ObjectNode> slices = EndpointsPlan.mirror(read("{'subsets':[{'addresses':[{'ip':'192.0.2.1'}],'notReadyAddresses':"
                + "[{'ip':'192.0.2.2'}],'ports':[{'port':5432}]}]}"));
        assertEquals(1, slices.size());
        assertEquals(5432, slices.get(0).path("ports").path(0).path("port").asInt());
        assertFalse(slices.get(0).path("endpoints").path(1).path("conditions").path("ready").asBoolean());
    }
}
