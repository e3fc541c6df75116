package io.kubundle.proxy.userspace.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ServiceTableTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ServiceTable.literal(ip), port);
    }

    static final JsonNode WEB = json("{'metadata':{'namespace':'default','name':'web'},'spec':{'type':'NodePort','clusterIP':'10.96.0.10',"
            + "'sessionAffinity':'ClientIP','ports':[{'name':'http','port':80,'nodePort':30080},"
            + "{'name':'dns','protocol':'UDP','port':53,'nodePort':30053},{'name':'s','protocol':'SCTP','port':9}]}}");

    @Test
    void frontendsOfANodePortService() {
        List<Frontend> frontends = ServiceTable.frontends(WEB);
        assertEquals(List.of(new Frontend("default/web:http", Frontend.Protocol.TCP, "10.96.0.10", 80, 30080, List.of(), 10800, false, false),
                new Frontend("default/web:dns", Frontend.Protocol.UDP, "10.96.0.10", 53, 30053, List.of(), 10800, false, false)), frontends,
                "SCTP is skipped; ClientIP affinity defaults to three hours");
        assertEquals(List.of(new Frontend.Listener(Frontend.Protocol.TCP, "10.96.0.10", 80),
                new Frontend.Listener(Frontend.Protocol.TCP, "0.0.0.0", 30080)), frontends.get(0).listeners(true));
        assertEquals(List.of(new Frontend.Listener(Frontend.Protocol.TCP, "10.96.0.10", 80)), frontends.get(0).listeners(false));
    }

    @Test
    void externalIpsThenLoadBalancerIngressIpsEachOnce() {
        JsonNode lb = json("{'metadata':{'namespace':'default','name':'lb'},'spec':{'type':'LoadBalancer','clusterIP':'10.96.0.12',"
                + "'externalIPs':['192.0.2.7','fd00::7','192.0.2.7','10.96.0.12','nonsense'],"
                + "'ports':[{'name':'http','port':80,'nodePort':30081}]},"
                + "'status':{'loadBalancer':{'ingress':[{'ip':'172.30.255.1'},{'hostname':'lb.example'},{'ip':'192.0.2.7'}]}}}");
        Frontend frontend = ServiceTable.frontends(lb).get(0);
        assertEquals(List.of("192.0.2.7", "172.30.255.1"), frontend.externalIps(),
                "IPv6, names, the cluster IP itself and repeats left out");
        assertEquals(List.of(new Frontend.Listener(Frontend.Protocol.TCP, "10.96.0.12", 80),
                new Frontend.Listener(Frontend.Protocol.TCP, "192.0.2.7", 80), new Frontend.Listener(Frontend.Protocol.TCP, "172.30.255.1", 80),
                new Frontend.Listener(Frontend.Protocol.TCP, "0.0.0.0", 30081)), frontend.listeners(true),
                "external and ingress IPs on the service port, the node port on every address");
        assertEquals(3, frontend.listeners(false).size(), "external IPs are served without node ports too");
    }

    @Test
    void ingressIpsCountOnlyForLoadBalancers() {
        // a LoadBalancer turned ClusterIP may keep its status a moment; kube-proxy ignores it then
        JsonNode was = json("{'metadata':{'namespace':'default','name':'was'},'spec':{'type':'ClusterIP','clusterIP':'10.96.0.13',"
                + "'externalIPs':['192.0.2.8'],'ports':[{'port':80}]},'status':{'loadBalancer':{'ingress':[{'ip':'172.30.255.2'}]}}}");
        assertEquals(List.of("192.0.2.8"), ServiceTable.frontends(was).get(0).externalIps());
    }

    @Test
    void noFrontendsWithoutAnIpv4ClusterIp() {
        assertEquals(List.of(), ServiceTable.frontends(json("{'metadata':{'name':'h'},'spec':{'clusterIP':'None','ports':[{'port':80}]}}")));
        assertEquals(List.of(), ServiceTable.frontends(json("{'metadata':{'name':'n'},'spec':{'ports':[{'port':80}]}}")));
        assertEquals(List.of(), ServiceTable.frontends(json("{'metadata':{'name':'e'},'spec':{'type':'ExternalName','clusterIP':'10.0.0.1',"
                + "'ports':[{'port':80}]}}")));
        assertEquals(List.of(), ServiceTable.frontends(json("{'metadata':{'name':'6'},'spec':{'clusterIP':'fd00::1','ports':[{'port':80}]}}")));
    }

    @Test
    void clusterIpServiceHasNoNodePortAndAffinityTimeoutIsRead() {
        Frontend frontend = ServiceTable.frontends(json("{'metadata':{'namespace':'a','name':'b'},'spec':{'clusterIP':'10.96.0.11',"
                + "'sessionAffinity':'ClientIP','sessionAffinityConfig':{'clientIP':{'timeoutSeconds':30}},"
                + "'ports':[{'port':8080,'nodePort':31000}]}}")).get(0);
        assertEquals(new Frontend("a/b:", Frontend.Protocol.TCP, "10.96.0.11", 8080, 0, List.of(), 30, false, false), frontend);
    }

    @Test
    void readyEndpointsOfTheMatchingSlicePortInAddressOrder() {
        JsonNode slice1 = json("{'metadata':{'namespace':'default','name':'web-1','labels':{'kubernetes.io/service-name':'web'}},"
                + "'addressType':'IPv4','ports':[{'name':'http','port':8080},{'name':'dns','protocol':'UDP','port':5353}],"
                + "'endpoints':[{'addresses':['10.244.0.10'],'conditions':{'ready':true}},"
                + "{'addresses':['10.244.0.9']},"
                + "{'addresses':['10.244.0.7'],'conditions':{'ready':false,'serving':true}}]}");
        JsonNode slice2 = json("{'metadata':{'namespace':'default','name':'web-2','labels':{'kubernetes.io/service-name':'web'}},"
                + "'addressType':'IPv4','ports':[{'name':'http','port':8080}],"
                + "'endpoints':[{'addresses':['10.244.0.10']},{'addresses':['10.244.1.2']}]}");
        JsonNode otherNamespace = json("{'metadata':{'namespace':'other','name':'web-x','labels':{'kubernetes.io/service-name':'web'}},"
                + "'addressType':'IPv4','ports':[{'name':'http','port':8080}],'endpoints':[{'addresses':['10.244.9.9']}]}");
        JsonNode ipv6 = json("{'metadata':{'namespace':'default','name':'web-6','labels':{'kubernetes.io/service-name':'web'}},"
                + "'addressType':'IPv6','ports':[{'name':'http','port':8080}],'endpoints':[{'addresses':['fd00::9']}]}");
        Map<Frontend, ServiceTable.Backends> table = ServiceTable.read(List.of(WEB), List.of(slice2, otherNamespace, slice1, ipv6), "node-1");
        assertEquals(2, table.size());
        Frontend http = ServiceTable.frontends(WEB).get(0);
        Frontend dns = ServiceTable.frontends(WEB).get(1);
        assertEquals(List.of(at("10.244.0.9", 8080), at("10.244.0.10", 8080), at("10.244.1.2", 8080)), table.get(http).all(),
                "not-ready .7 left out, .10 once, numeric order (.9 before .10)");
        assertEquals(List.of(at("10.244.0.9", 5353), at("10.244.0.10", 5353)), table.get(dns).all());
    }

    static JsonNode webSlice(String name, String endpoints) {
        return json("{'metadata':{'namespace':'default','name':'" + name + "','labels':{'kubernetes.io/service-name':'web'}},"
                + "'addressType':'IPv4','ports':[{'name':'http','port':8080}],'endpoints':[" + endpoints + "]}");
    }

    @Test
    void servingTerminatingEndpointsOnlyWhileNoneIsReady() {
        Frontend http = ServiceTable.frontends(WEB).get(0);
        JsonNode draining = webSlice("web-1", "{'addresses':['10.244.0.1'],'conditions':{'ready':false,'serving':true,'terminating':true}},"
                + "{'addresses':['10.244.0.2'],'conditions':{'ready':false,'serving':false,'terminating':true}},"
                + "{'addresses':['10.244.0.3'],'conditions':{'ready':false,'terminating':true}},"
                + "{'addresses':['10.244.0.4'],'conditions':{'ready':false,'serving':true}},"
                + "{'addresses':['10.244.0.5'],'conditions':{'ready':false,'serving':true,'terminating':true}}");
        assertEquals(List.of(at("10.244.0.1", 8080), at("10.244.0.5", 8080)),
                ServiceTable.read(List.of(WEB), List.of(draining), "node-1").get(http).all(),
                "no endpoint ready: the serving terminating ones (serving absent counts as ready, so .3 is not serving; .4 is not"
                        + " terminating, only not ready yet)");
        JsonNode fresh = webSlice("web-2", "{'addresses':['10.244.1.9'],'conditions':{'ready':true}}");
        assertEquals(List.of(at("10.244.1.9", 8080)), ServiceTable.read(List.of(WEB), List.of(draining, fresh), "node-1").get(http).all(),
                "one ready: only it");
        JsonNode gone = webSlice("web-1", "{'addresses':['10.244.0.2'],'conditions':{'ready':false,'serving':false,'terminating':true}}");
        assertEquals(List.of(), ServiceTable.read(List.of(WEB), List.of(gone), "node-1").get(http).all(), "terminating and not serving: nothing");
    }

    @Test
    void anAddressInTwoSlicesCountsWithItsBestConditions() {
        Frontend http = ServiceTable.frontends(WEB).get(0);
        JsonNode old = webSlice("web-old", "{'addresses':['10.244.0.1'],'conditions':{'ready':false}},{'addresses':['10.244.0.2'],"
                + "'conditions':{'ready':false,'serving':true,'terminating':true}}");
        JsonNode next = webSlice("web-new", "{'addresses':['10.244.0.1'],'conditions':{'ready':true}}");
        for (List<JsonNode> slices : List.of(List.of(old, next), List.of(next, old))) {
            assertEquals(List.of(at("10.244.0.1", 8080)), ServiceTable.read(List.of(WEB), slices, "node-1").get(http).all(), "whatever the slice order");
        }
    }

    @Test
    void trafficPoliciesAndWhichListenerFollowsWhich() {
        JsonNode local = json("{'metadata':{'namespace':'default','name':'web'},'spec':{'type':'NodePort','clusterIP':'10.96.0.10',"
                + "'externalIPs':['192.0.2.7'],'externalTrafficPolicy':'Local','internalTrafficPolicy':'Cluster',"
                + "'ports':[{'name':'http','port':80,'nodePort':30080}]}}");
        Frontend frontend = ServiceTable.frontends(local).get(0);
        assertTrue(frontend.externalLocal());
        assertFalse(frontend.internalLocal());
        assertEquals(List.of(false, true, true), frontend.listeners(true).stream().map(frontend::localOnly).toList(),
                "the cluster IP by internalTrafficPolicy; the external IP and the node port by externalTrafficPolicy");
        Frontend internal = ServiceTable.frontends(json("{'metadata':{'namespace':'default','name':'web'},'spec':{'clusterIP':"
                + "'10.96.0.10','internalTrafficPolicy':'Local','ports':[{'name':'http','port':80}]}}")).get(0);
        assertTrue(internal.internalLocal());
        assertTrue(internal.localOnly(internal.listeners(true).get(0)));
        assertEquals(List.of(false, false), ServiceTable.frontends(WEB).get(0).listeners(true).stream()
                .map(ServiceTable.frontends(WEB).get(0)::localOnly).toList(), "policies absent: Cluster");
    }

    @Test
    void localEndpointsAreThoseOfThisNodeWithTheirOwnFallback() {
        Frontend http = ServiceTable.frontends(WEB).get(0);
        JsonNode slice = webSlice("web-1", "{'addresses':['10.244.0.1'],'nodeName':'node-1','conditions':{'ready':true}},"
                + "{'addresses':['10.244.0.2'],'nodeName':'node-1','conditions':{'ready':false}},"
                + "{'addresses':['10.244.1.1'],'nodeName':'node-2','conditions':{'ready':true}},"
                + "{'addresses':['10.244.2.1'],'conditions':{'ready':true}}");
        ServiceTable.Backends backends = ServiceTable.read(List.of(WEB), List.of(slice), "node-1").get(http);
        assertEquals(List.of(at("10.244.0.1", 8080), at("10.244.1.1", 8080), at("10.244.2.1", 8080)), backends.all());
        assertEquals(List.of(at("10.244.0.1", 8080)), backends.local(), "ready and on node-1 (no nodeName: not local)");
        assertEquals(List.of(), ServiceTable.read(List.of(WEB), List.of(slice), "").get(http).local(), "no node name: nothing is local");
        // this node's only pod drains while another node's is ready: Local keeps the draining one, as kube-proxy does
        JsonNode draining = webSlice("web-1", "{'addresses':['10.244.0.1'],'nodeName':'node-1','conditions':{'ready':false,"
                + "'serving':true,'terminating':true}},{'addresses':['10.244.1.1'],'nodeName':'node-2','conditions':{'ready':true}}");
        backends = ServiceTable.read(List.of(WEB), List.of(draining), "node-1").get(http);
        assertEquals(List.of(at("10.244.1.1", 8080)), backends.all());
        assertEquals(List.of(at("10.244.0.1", 8080)), backends.local());
        assertEquals(List.of(), ServiceTable.read(List.of(WEB), List.of(draining), "node-3").get(http).local(), "none here");
    }

    @Test
    void aServiceWithoutSlicesHasNoEndpoints() {
        Map<Frontend, ServiceTable.Backends> table = ServiceTable.read(List.of(WEB), List.of(), "node-1");
        assertTrue(table.values().stream().allMatch(b -> b.all().isEmpty() && b.local().isEmpty()));
    }

    @Test
    void ipv4Literals() {
        assertTrue(ServiceTable.ipv4("10.96.0.1"));
        assertFalse(ServiceTable.ipv4("10.96.0.256"));
        assertFalse(ServiceTable.ipv4("10.96.0"));
        assertFalse(ServiceTable.ipv4("a.b.c.d"));
        assertFalse(ServiceTable.ipv4("None"));
        assertFalse(ServiceTable.ipv4(""));
    }
}
