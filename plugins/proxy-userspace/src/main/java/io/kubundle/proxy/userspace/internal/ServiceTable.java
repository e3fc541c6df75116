package io.kubundle.proxy.userspace.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the cluster asks this proxy to serve, read from Services and {@code discovery.k8s.io/v1}
 * EndpointSlices (JSON trees): each TCP or UDP port of a Service with an IPv4 cluster IP, and the
 * endpoints of its slices it sends traffic to (label {@code kubernetes.io/service-name}; the slice
 * port with the same name and protocol gives the target port, named target ports being resolved
 * there already): the ready ones, else the serving terminating ones.
 * Pure: the same objects always give the same table, endpoints in address order.
 */
final class ServiceTable {
    static final String SERVICE_LABEL = "kubernetes.io/service-name";
    /** Kubernetes' default {@code sessionAffinityConfig.clientIP.timeoutSeconds}. */
    static final int AFFINITY_DEFAULT_SECONDS = 3 * 60 * 60;

    private ServiceTable() {
    }

    /**
     * The endpoints of one frontend that new connections go to ({@link #usable}): {@code all}, and
     * {@code local} those on this node (for the listeners whose traffic policy is {@code Local}).
     */
    record Backends(List<InetSocketAddress> all, List<InetSocketAddress> local) {
        Backends {
            all = List.copyOf(all);
            local = List.copyOf(local);
        }

        List<InetSocketAddress> of(boolean localOnly) {
            return localOnly ? local : all;
        }
    }

    /** @param nodeName this node's name: an endpoint whose {@code nodeName} it is counts as local */
    static Map<Frontend, Backends> read(Collection<? extends JsonNode> services, Collection<? extends JsonNode> slices, String nodeName) {
        Map<String, List<JsonNode>> slicesOf = new HashMap<>();
        for (JsonNode slice : slices) {
            String owner = slice.at("/metadata/labels").path(SERVICE_LABEL).asText("");
            if (!owner.isEmpty() && "IPv4".equals(slice.path("addressType").asText("IPv4"))) {
                slicesOf.computeIfAbsent(slice.at("/metadata/namespace").asText("") + "/" + owner, k -> new ArrayList<>()).add(slice);
            }
        }
        Map<Frontend, Backends> table = new LinkedHashMap<>();
        for (JsonNode service : services) {
            String key = service.at("/metadata/namespace").asText("") + "/" + service.at("/metadata/name").asText("");
            for (Frontend frontend : frontends(service)) {
                List<Endpoint> endpoints = endpoints(frontend, slicesOf.getOrDefault(key, List.of()), nodeName);
                table.put(frontend, new Backends(usable(endpoints), usable(endpoints.stream().filter(Endpoint::local).toList())));
            }
        }
        return table;
    }

    /** The frontends of one Service: none when it has no IPv4 cluster IP (headless, ExternalName, not allocated yet). */
    static List<Frontend> frontends(JsonNode service) {
        JsonNode spec = service.path("spec");
        String clusterIp = spec.path("clusterIP").asText("");
        if (!ipv4(clusterIp) || "ExternalName".equals(spec.path("type").asText())) {
            return List.of();
        }
        String type = spec.path("type").asText("ClusterIP");
        boolean withNodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
        int affinity = 0;
        if ("ClientIP".equals(spec.path("sessionAffinity").asText())) {
            int configured = spec.at("/sessionAffinityConfig/clientIP/timeoutSeconds").asInt(0);
            affinity = configured > 0 ? configured : AFFINITY_DEFAULT_SECONDS;
        }
        List<String> externalIps = externalIps(service, clusterIp, type.equals("LoadBalancer"));
        boolean internalLocal = "Local".equals(spec.path("internalTrafficPolicy").asText());
        boolean externalLocal = "Local".equals(spec.path("externalTrafficPolicy").asText());
        String prefix = service.at("/metadata/namespace").asText("") + "/" + service.at("/metadata/name").asText("") + ":";
        List<Frontend> result = new ArrayList<>();
        for (JsonNode port : spec.path("ports")) {
            Frontend.Protocol protocol;
            try {
                protocol = Frontend.Protocol.valueOf(port.path("protocol").asText("TCP"));
            } catch (IllegalArgumentException sctp) {
                continue;
            }
            int number = port.path("port").asInt();
            if (number < 1 || number > 65535) {
                continue;
            }
            result.add(new Frontend(prefix + port.path("name").asText(""), protocol, clusterIp, number,
                    withNodePorts ? port.path("nodePort").asInt(0) : 0, externalIps, affinity,
                    internalLocal, externalLocal));
        }
        return result;
    }

    /**
     * The addresses besides the cluster IP a Service answers on: {@code spec.externalIPs}, then for a
     * LoadBalancer its {@code status.loadBalancer.ingress[].ip} (a hostname-only ingress has none),
     * IPv4 ones once each, the cluster IP left out.
     */
    static List<String> externalIps(JsonNode service, String clusterIp, boolean loadBalancer) {
        List<JsonNode> candidates = new ArrayList<>();
        service.at("/spec/externalIPs").forEach(candidates::add);
        if (loadBalancer) {
            service.at("/status/loadBalancer/ingress").forEach(ingress -> candidates.add(ingress.path("ip")));
        }
        java.util.Set<String> ips = new java.util.LinkedHashSet<>();
        for (JsonNode candidate : candidates) {
            String ip = candidate.asText("");
            if (ipv4(ip) && !ip.equals(clusterIp)) {
                ips.add(ip);
            }
        }
        return List.copyOf(ips);
    }

    /**
     * One address of a frontend's slices, as the proxy weighs it: {@code ready} is
     * {@code conditions.ready} (absent counts as ready); {@code fallback} is serving and terminating
     * ({@code conditions.serving}, absent: as ready; {@code conditions.terminating}, absent: false),
     * what kube-proxy sends traffic to while no endpoint is ready; {@code local}: its
     * {@code nodeName} is this node's.
     */
    record Endpoint(InetSocketAddress address, boolean ready, boolean fallback, boolean local) {
        private int rank() {
            return ready ? 2 : fallback ? 1 : 0;
        }

        /** The same address in two slices (a slice being replaced): the better conditions count, local if either says so. */
        static Endpoint better(Endpoint one, Endpoint other) {
            Endpoint best = other.rank() > one.rank() ? other : one;
            return new Endpoint(best.address(), best.ready(), best.fallback(), one.local() || other.local());
        }
    }

    private static final Comparator<InetSocketAddress> ADDRESS_ORDER = Comparator
            .comparing((InetSocketAddress a) -> a.getAddress().getAddress(), java.util.Arrays::compareUnsigned)
            .thenComparingInt(InetSocketAddress::getPort);

    /**
     * Every endpoint of one frontend in its Service's slices, whatever its conditions: the target
     * port is that of the slice port with the frontend's port name and protocol; IPv4 addresses,
     * each {@code ip:port} once, in address order. Local: {@code nodeName} is {@code node} (not empty).
     */
    static List<Endpoint> endpoints(Frontend frontend, List<? extends JsonNode> slices, String node) {
        String portName = frontend.id().substring(frontend.id().lastIndexOf(':') + 1);
        Map<InetSocketAddress, Endpoint> found = new TreeMap<>(ADDRESS_ORDER);
        for (JsonNode slice : slices) {
            int target = 0;
            for (JsonNode slicePort : slice.path("ports")) {
                boolean sameName = slicePort.path("name").asText("").equals(portName);
                boolean sameProtocol = slicePort.path("protocol").asText("TCP").equals(frontend.protocol().name());
                if (sameName && sameProtocol) {
                    target = slicePort.path("port").asInt(0);
                }
            }
            if (target < 1 || target > 65535) {
                continue;
            }
            for (JsonNode endpoint : slice.path("endpoints")) {
                JsonNode conditions = endpoint.path("conditions");
                boolean ready = condition(conditions.path("ready"), true);
                boolean servingTerminating = condition(conditions.path("serving"), ready) && condition(conditions.path("terminating"), false);
                boolean local = !node.isEmpty() && node.equals(endpoint.path("nodeName").asText(""));
                for (JsonNode address : endpoint.path("addresses")) {
                    if (ipv4(address.asText())) {
                        InetSocketAddress at = new InetSocketAddress(literal(address.asText()), target);
                        found.merge(at, new Endpoint(at, ready, servingTerminating, local), Endpoint::better);
                    }
                }
            }
        }
        return List.copyOf(found.values());
    }

    /** A condition's value, {@code absent} when it is missing or null. */
    private static boolean condition(JsonNode value, boolean absent) {
        return value.isMissingNode() || value.isNull() ? absent : value.asBoolean();
    }

    /**
     * Where new connections go: the ready endpoints; while none is ready, the serving terminating
     * ones (kube-proxy's fallback, so a rolling update's last old pod still answers while it drains);
     * else none. Order kept.
     */
    static List<InetSocketAddress> usable(List<Endpoint> endpoints) {
        List<InetSocketAddress> ready = endpoints.stream().filter(Endpoint::ready).map(Endpoint::address).toList();
        if (!ready.isEmpty()) {
            return ready;
        }
        return endpoints.stream().filter(Endpoint::fallback).map(Endpoint::address).toList();
    }

    /** Dotted-quad IPv4 literal, each part 0..255. */
    static boolean ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit) || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** An address from a literal already checked by {@link #ipv4}: no name lookup. */
    static InetAddress literal(String ipv4) {
        String[] parts = ipv4.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException impossible) {
            throw new IllegalArgumentException(ipv4, impossible);
        }
    }
}
