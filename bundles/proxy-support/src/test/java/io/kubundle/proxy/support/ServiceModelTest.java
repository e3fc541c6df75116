package io.kubundle.proxy.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ServiceModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void readsPortsExternalAndLoadBalancerIpsAffinityAndPolicy() throws Exception {
        JsonNode service = json("{'metadata':{'namespace':'shop','name':'web'},'spec':{'type':'LoadBalancer','clusterIP':'10.96.0.20',"
                + "'externalIPs':['192.0.2.1'],'sessionAffinity':'ClientIP','externalTrafficPolicy':'Local','internalTrafficPolicy':'Local',"
                + "'loadBalancerSourceRanges':['203.0.113.0/24',' 198.51.100.7 ','bad/99','fd00::/8'],"
                + "'ports':[{'name':'http','port':80,'protocol':'TCP','targetPort':8080,'nodePort':30080},"
                + "{'name':'dns','port':53,'protocol':'UDP','nodePort':30053}]},"
                + "'status':{'loadBalancer':{'ingress':[{'ip':'192.0.2.50'},{'hostname':'lb.example'}]}}}");
        List<ServicePort> ports = ServiceModel.ports(service);
        assertEquals(2, ports.size());
        ServicePort http = ports.get(0);
        assertEquals(new ServicePort("shop", "web", "http", "TCP", "10.96.0.20", 80, 30080, List.of("192.0.2.1", "192.0.2.50"), 10800, true,
                true, List.of("192.0.2.50"), List.of("203.0.113.0/24", "198.51.100.7")), http);
        assertTrue(http.hasFirewall());
        assertEquals("shop/web:http/TCP", ServiceModel.key(http));
        assertEquals("UDP", ports.get(1).protocol());
    }

    @Test
    void headlessExternalNameAndUnallocatedServicesHaveNoPorts() throws Exception {
        assertTrue(ServiceModel.ports(json("{'metadata':{'name':'h'},'spec':{'clusterIP':'None','ports':[{'port':80}]}}")).isEmpty());
        assertTrue(ServiceModel.ports(json("{'metadata':{'name':'x'},'spec':{'type':'ExternalName','externalName':'a.b'}}")).isEmpty());
        assertTrue(ServiceModel.ports(json("{'metadata':{'name':'u'},'spec':{'ports':[{'port':80}]}}")).isEmpty());
        List<ServicePort> clusterIp = ServiceModel.ports(json("{'metadata':{'name':'c'},'spec':{'clusterIP':'10.96.0.3','type':'ClusterIP',"
                + "'externalTrafficPolicy':'Local','ports':[{'port':80,'nodePort':30001}]}}"));
        assertEquals(0, clusterIp.get(0).nodePort(), "a ClusterIP service has no node port");
        assertFalse(clusterIp.get(0).externalLocal());
        assertFalse(clusterIp.get(0).internalLocal(), "internalTrafficPolicy defaults to Cluster");
        assertFalse(clusterIp.get(0).hasFirewall());
    }

    @Test
    void endpointsComeFromSlicesMatchingPortNameAndProtocol() throws Exception {
        ServicePort http = new ServicePort("shop", "web", "http", "TCP", "10.96.0.20", 80, 0, List.of(), 0, false);
        JsonNode one = json("{'addressType':'IPv4','ports':[{'name':'http','port':8080,'protocol':'TCP'},{'name':'dns','port':53,"
                + "'protocol':'UDP'}],'endpoints':[{'addresses':['10.244.0.6'],'conditions':{'ready':true},'nodeName':'n1'},"
                + "{'addresses':['10.244.0.5'],'conditions':{},'nodeName':'n2'},"
                + "{'addresses':['10.244.0.7'],'conditions':{'ready':false,'serving':true,'terminating':true}}]}");
        JsonNode v6 = json("{'addressType':'IPv6','ports':[{'name':'http','port':8080}],'endpoints':[{'addresses':['fd00::1']}]}");
        JsonNode other = json("{'addressType':'IPv4','ports':[{'name':'metrics','port':9090}],'endpoints':[{'addresses':['10.244.0.9']}]}");
        List<Endpoint> endpoints = ServiceModel.endpoints(http, List.of(one, v6, other), "n1");
        assertEquals(List.of(new Endpoint("10.244.0.5", 8080, true, true, false, false),
                new Endpoint("10.244.0.6", 8080, true, true, false, true),
                new Endpoint("10.244.0.7", 8080, false, true, true, false)), endpoints);
        assertEquals(endpoints.subList(0, 2), ServiceModel.usable(endpoints), "the ready ones");
        assertEquals(endpoints.subList(2, 3), ServiceModel.usable(endpoints.subList(2, 3)), "else the serving terminating ones");
    }
}
