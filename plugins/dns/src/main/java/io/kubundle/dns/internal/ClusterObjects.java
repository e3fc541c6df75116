package io.kubundle.dns.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.dns.internal.ClusterIndex.Endpoint;
import io.kubundle.dns.internal.ClusterIndex.Port;
import io.kubundle.dns.internal.ClusterIndex.ServiceData;
import io.kubundle.dns.internal.ClusterIndex.SliceData;

/** Reads Services and EndpointSlices (as JSON) into what DNS needs of them. */
final class ClusterObjects {
    /** The label that ties an EndpointSlice to its Service. */
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private ClusterObjects() {
    }

    static ServiceData service(JsonNode service) {
        JsonNode metadata = service.path("metadata");
        JsonNode spec = service.path("spec");
        List<String> clusterIps = new ArrayList<>();
        for (JsonNode ip : spec.path("clusterIPs")) {
            addIp(clusterIps, ip.asText());
        }
        if (clusterIps.isEmpty()) {
            addIp(clusterIps, spec.path("clusterIP").asText(""));
        }
        String type = spec.path("type").asText("ClusterIP");
        String externalName = "ExternalName".equals(type) ? stripDot(spec.path("externalName").asText("")) : "";
        return new ServiceData(metadata.path("namespace").asText("default"), metadata.path("name").asText(), type, clusterIps,
                externalName, ports(spec.path("ports")), spec.path("publishNotReadyAddresses").asBoolean(false));
    }

    /** The slice, or null when it names no service or carries FQDN addresses (which DNS does not serve). */
    static SliceData slice(JsonNode slice) {
        JsonNode metadata = slice.path("metadata");
        String service = metadata.path("labels").path(SERVICE_NAME_LABEL).asText("");
        String addressType = slice.path("addressType").asText("IPv4");
        if (service.isEmpty() || "FQDN".equals(addressType)) {
            return null;
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (JsonNode endpoint : slice.path("endpoints")) {
            List<String> addresses = new ArrayList<>();
            for (JsonNode address : endpoint.path("addresses")) {
                addIp(addresses, address.asText());
            }
            JsonNode ready = endpoint.path("conditions").path("ready");
            // "nil should be interpreted as true" (discovery.k8s.io/v1 EndpointConditions)
            endpoints.add(new Endpoint(addresses, endpoint.path("hostname").asText(""), ready.isMissingNode() || ready.isNull()
                    || ready.asBoolean()));
        }
        return new SliceData(metadata.path("namespace").asText("default"), metadata.path("name").asText(), service,
                ports(slice.path("ports")), endpoints);
    }

    private static List<Port> ports(JsonNode ports) {
        List<Port> result = new ArrayList<>();
        for (JsonNode port : ports) {
            result.add(new Port(port.path("name").asText(""), port.path("protocol").asText("TCP"), port.path("port").asInt()));
        }
        return result;
    }

    private static void addIp(List<String> into, String ip) {
        byte[] bytes = "None".equals(ip) ? null : Addresses.bytes(ip);
        if (bytes != null && !into.contains(Addresses.text(bytes))) {
            into.add(Addresses.text(bytes));
        }
    }

    private static String stripDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
