package io.kubundle.proxy.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads Services and {@code discovery.k8s.io/v1} EndpointSlices (as JSON trees) into the
 * {@link ServicePort}s and {@link Endpoint}s rules are made of. IPv4 only; a Service without a
 * cluster IP (headless, ExternalName, not allocated yet) has no rules.
 */
public final class ServiceModel {
    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** Kubernetes' default ClientIP affinity timeout (3 hours). */
    public static final int DEFAULT_AFFINITY_SECONDS = 10800;
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}");

    private ServiceModel() {
    }

    /** The key of a service port: {@code ns/name:port/PROTOCOL}. */
    public static String key(ServicePort port) {
        return port.portNameString() + "/" + port.protocol();
    }

    public static boolean isIpv4(String text) {
        if (text == null || !IPV4.matcher(text).matches()) {
            return false;
        }
        for (String part : text.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@code a.b.c.d/n}, or a plain address (taken as /32 by iptables and nft alike). */
    static boolean isIpv4Cidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return isIpv4(text);
        }
        String bits = text.substring(slash + 1);
        return isIpv4(text.substring(0, slash)) && bits.matches("\\d{1,2}") && Integer.parseInt(bits) <= 32;
    }

    /** The endpoints traffic goes to: the ready ones, else (as kube-proxy) the serving terminating ones. */
    public static List<Endpoint> usable(List<Endpoint> endpoints) {
        List<Endpoint> ready = endpoints.stream().filter(Endpoint::ready).toList();
        if (!ready.isEmpty()) {
            return ready;
        }
        return endpoints.stream().filter(e -> e.serving() && e.terminating()).toList();
    }

    /** The ports of a Service that get rules. */
    public static List<ServicePort> ports(JsonNode service) {
        JsonNode metadata = service.path("metadata");
        JsonNode spec = service.path("spec");
        String type = spec.path("type").asText("ClusterIP");
        String clusterIp = spec.path("clusterIP").asText("");
        if (type.equals("ExternalName") || !isIpv4(clusterIp)) {
            return List.of();
        }
        List<String> external = new ArrayList<>();
        for (JsonNode ip : spec.path("externalIPs")) {
            if (isIpv4(ip.asText()) && !external.contains(ip.asText())) {
                external.add(ip.asText());
            }
        }
        List<String> loadBalancer = new ArrayList<>();
        if (type.equals("LoadBalancer")) {
            for (JsonNode ingress : service.path("status").path("loadBalancer").path("ingress")) {
                String ip = ingress.path("ip").asText("");
                if (isIpv4(ip) && !loadBalancer.contains(ip)) {
                    loadBalancer.add(ip);
                }
                if (isIpv4(ip) && !external.contains(ip)) {
                    external.add(ip);
                }
            }
        }
        List<String> sourceRanges = new ArrayList<>();
        for (JsonNode range : spec.path("loadBalancerSourceRanges")) {
            String cidr = range.asText("").strip();
            if (isIpv4Cidr(cidr) && !sourceRanges.contains(cidr)) {
                sourceRanges.add(cidr);
            }
        }
        boolean nodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
        int affinity = 0;
        if (spec.path("sessionAffinity").asText("None").equals("ClientIP")) {
            affinity = spec.path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds").asInt(DEFAULT_AFFINITY_SECONDS);
            if (affinity <= 0) {
                affinity = DEFAULT_AFFINITY_SECONDS;
            }
        }
        String policy = spec.path("externalTrafficPolicy").asText("Cluster");
        boolean externalLocal = policy.equals("Local") && (nodePorts || !external.isEmpty());
        boolean internalLocal = spec.path("internalTrafficPolicy").asText("Cluster").equals("Local");
        List<ServicePort> ports = new ArrayList<>();
        for (JsonNode port : spec.path("ports")) {
            int number = port.path("port").asInt(0);
            if (number <= 0) {
                continue;
            }
            ports.add(new ServicePort(metadata.path("namespace").asText("default"), metadata.path("name").asText(),
                    port.path("name").asText(""), port.path("protocol").asText("TCP"), clusterIp, number,
                    nodePorts ? port.path("nodePort").asInt(0) : 0, external, affinity, externalLocal, internalLocal, loadBalancer,
                    sourceRanges));
        }
        return ports;
    }

    /**
     * The endpoints of one service port in its Service's EndpointSlices: the slice ports with the
     * port's name and protocol, IPv4 addresses, one entry per address and port (the first slice's
     * conditions win for a duplicate).
     */
    public static List<Endpoint> endpoints(ServicePort port, List<? extends JsonNode> slices, String nodeName) {
        Map<String, Endpoint> found = new LinkedHashMap<>();
        for (JsonNode slice : slices) {
            String addressType = slice.path("addressType").asText("IPv4");
            if (!addressType.equals("IPv4")) {
                continue;
            }
            int target = 0;
            for (JsonNode slicePort : slice.path("ports")) {
                if (slicePort.path("name").asText("").equals(port.portName())
                        && slicePort.path("protocol").asText("TCP").equals(port.protocol())) {
                    target = slicePort.path("port").asInt(0);
                }
            }
            if (target <= 0) {
                continue;
            }
            for (JsonNode endpoint : slice.path("endpoints")) {
                JsonNode conditions = endpoint.path("conditions");
                boolean ready = !conditions.has("ready") || conditions.path("ready").isNull() || conditions.path("ready").asBoolean();
                boolean serving = conditions.has("serving") && !conditions.path("serving").isNull()
                        ? conditions.path("serving").asBoolean() : ready;
                boolean terminating = conditions.path("terminating").asBoolean(false);
                boolean local = !nodeName.isEmpty() && nodeName.equals(endpoint.path("nodeName").asText(""));
                for (JsonNode address : endpoint.path("addresses")) {
                    String ip = address.asText();
                    if (isIpv4(ip)) {
                        found.putIfAbsent(ip + ":" + target, new Endpoint(ip, target, ready, serving, terminating, local));
                    }
                }
            }
        }
        return found.values().stream().sorted(java.util.Comparator.comparing(Endpoint::ip).thenComparingInt(Endpoint::port)).toList();
    }
}
