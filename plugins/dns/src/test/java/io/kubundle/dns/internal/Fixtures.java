package io.kubundle.dns.internal;

import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Services and EndpointSlices as the API serves them, for the index. */
final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClusterIndex.ServiceData clusterIp(String namespace, String name, String ip) {
        return ClusterObjects.service(json("{'metadata':{'namespace':'" + namespace + "','name':'" + name + "'},'spec':{'clusterIP':'" + ip
                + "','clusterIPs':['" + ip + "'],'ports':[{'name':'http','protocol':'TCP','port':80},{'name':'dns','protocol':'UDP','port':53},"
                + "{'port':9000}]}}"));
    }

    static ClusterIndex.ServiceData headless(String namespace, String name, boolean publishNotReady) {
        return ClusterObjects.service(json("{'metadata':{'namespace':'" + namespace + "','name':'" + name
                + "'},'spec':{'clusterIP':'None','publishNotReadyAddresses':" + publishNotReady
                + ",'ports':[{'name':'web','protocol':'TCP','port':80}]}}"));
    }

    static ClusterIndex.ServiceData externalName(String namespace, String name, String target) {
        return ClusterObjects.service(json("{'metadata':{'namespace':'" + namespace + "','name':'" + name
                + "'},'spec':{'type':'ExternalName','externalName':'" + target + "'}}"));
    }

    /** A slice of {@code service} with endpoints written {@code ip[/hostname][!]} ({@code !}: not ready). */
    static ClusterIndex.SliceData slice(String namespace, String name, String service, int port, String... endpoints) {
        StringBuilder items = new StringBuilder();
        for (String endpoint : endpoints) {
            boolean ready = !endpoint.endsWith("!");
            String[] parts = endpoint.replace("!", "").split("/");
            if (items.length() > 0) {
                items.append(',');
            }
            items.append("{'addresses':['").append(parts[0]).append("'],'conditions':{'ready':").append(ready).append('}');
            if (parts.length > 1) {
                items.append(",'hostname':'").append(parts[1]).append('\'');
            }
            items.append('}');
        }
        return ClusterObjects.slice(json("{'metadata':{'namespace':'" + namespace + "','name':'" + name
                + "','labels':{'kubernetes.io/service-name':'" + service + "'}},'addressType':'IPv4','ports':[{'name':'web','protocol':'TCP','port':"
                + port + "}],'endpoints':[" + items + "]}"));
    }
}
