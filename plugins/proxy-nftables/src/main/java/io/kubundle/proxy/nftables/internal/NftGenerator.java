package io.kubundle.proxy.nftables.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.Hashes;
import io.kubundle.proxy.support.PortContributions;
import io.kubundle.proxy.support.ProxyOptions;
import io.kubundle.proxy.support.ServiceModel;
import io.kubundle.proxy.support.ServicePort;

/**
 * Turns service ports and their endpoints into kube-proxy's nftables layout (its nftables mode,
 * 1.29+), in a table of our own:
 *
 * <ul>
 * <li>base chains {@code nat-prerouting} and {@code nat-output} jump to {@code services}, which
 * looks the packet up in the verdict map {@code service-ips} ({@code ip daddr . meta l4proto .
 * th dport}: cluster, external and load-balancer IPs) and, for local destinations, in
 * {@code service-nodeports} ({@code meta l4proto . th dport});</li>
 * <li>a cluster IP goes to {@code service-<hash>-ns/name/proto/port}, which marks off-cluster
 * traffic for masquerade and DNATs to an endpoint picked by {@code numgen random mod N map}; with
 * ClientIP affinity it goes instead to an endpoint chain, the remembered one
 * ({@code ip saddr @affinity-...}) or one picked by {@code numgen random mod N vmap}; with
 * {@code internalTrafficPolicy: Local} to {@code local-...}, the same over this node's endpoints;</li>
 * <li>node ports and external IPs go to {@code external-...}: masquerade then the service chain,
 * or with {@code externalTrafficPolicy: Local} pod and node traffic to the service chain, the
 * rest (client address kept) to {@code local-...};</li>
 * <li>{@code endpoint-...} (ClientIP affinity only) records the client and DNATs;</li>
 * <li>filter chains before NAT drop what {@code loadBalancerSourceRanges} do not allow
 * ({@code firewall-ips}, {@code firewall-...}); after NAT, service ports without endpoints are
 * rejected ({@code no-endpoint-services}, {@code no-endpoint-nodeports}), or dropped where only
 * local endpoints count and there are none;</li>
 * <li>{@code nat-postrouting} masquerades marked packets and hairpin ones (DNATed from an endpoint
 * to itself: the set {@code hairpin} of {@code endpoint . endpoint}).</li>
 * </ul>
 *
 * A port whose Service and endpoints did not change reuses what it contributed at the last
 * generation (the same list objects), so diffs are cheap. Not thread-safe: one sync at a time.
 */
final class NftGenerator {
    /**
     * @param table the table's name
     * @param masqueradeBit the bit of the packet mark that asks for masquerade (kube-proxy: 14)
     * @param localCidr traffic from here is pod traffic, not masqueraded to cluster IPs (empty: unknown, so none is)
     * @param masqueradeAll masquerade all traffic to cluster IPs
     * @param nodePortCidrs addresses node ports answer on; empty: every local address
     * @param localhostNodePorts whether node ports answer on 127.0.0.1 (needs {@code route_localnet})
     */
    record Settings(String table, int masqueradeBit, String localCidr, boolean masqueradeAll, List<String> nodePortCidrs,
            boolean localhostNodePorts) {
        Settings {
            nodePortCidrs = List.copyOf(nodePortCidrs);
            ProxyOptions.mark(masqueradeBit);
            if (!table.matches("[a-zA-Z][a-zA-Z0-9_-]{0,63}")) {
                throw new IllegalArgumentException("table must be a letter then letters, digits, - or _ (at most 64): " + table);
            }
        }

        String mark() {
            return ProxyOptions.mark(masqueradeBit);
        }

        Settings withLocalCidr(String cidr) {
            return new Settings(table, masqueradeBit, cidr, masqueradeAll, nodePortCidrs, localhostNodePorts);
        }
    }

    static final String SERVICE_IPS = "service-ips";
    static final String SERVICE_NODEPORTS = "service-nodeports";
    static final String FIREWALL_IPS = "firewall-ips";
    static final String NO_ENDPOINT_SERVICES = "no-endpoint-services";
    static final String NO_ENDPOINT_NODEPORTS = "no-endpoint-nodeports";
    /** Set of {@code endpoint . endpoint} address pairs: a DNATed packet from an endpoint to itself is masqueraded. */
    static final String HAIRPIN = "hairpin";
    static final String REJECT = "goto reject-chain";
    static final String DROP = "drop";

    /** What one service port contributes: its chains and sets, and its elements per map. */
    private record Contribution(Map<String, List<String>> chains, Map<String, Map<String, String>> elements, List<String> sets) {
    }

    private final Settings settings;
    private final List<String> fixed;
    private final PortContributions<Contribution> contributions = new PortContributions<>(this::contribution);

    NftGenerator(Settings settings) {
        this.settings = settings;
        this.fixed = fixed(settings);
    }

    Settings settings() {
        return settings;
    }

    /** The wanted table for these service ports (keyed by {@code ns/name:port/protocol}). */
    NftRuleset generate(Map<String, ServicePort> ports, Map<String, List<Endpoint>> endpoints) {
        Map<String, List<String>> chains = new LinkedHashMap<>(ports.size() * 8);
        Map<String, Map<String, String>> maps = new LinkedHashMap<>();
        for (String map : List.of(SERVICE_IPS, SERVICE_NODEPORTS, FIREWALL_IPS, NO_ENDPOINT_SERVICES, NO_ENDPOINT_NODEPORTS, HAIRPIN)) {
            maps.put(map, new TreeMap<>());
        }
        TreeSet<String> sets = new TreeSet<>();
        for (Contribution c : contributions.compute(ports, endpoints)) {
            chains.putAll(c.chains());
            c.elements().forEach((map, elements) -> maps.get(map).putAll(elements));
            sets.addAll(c.sets());
        }
        return new NftRuleset(settings.table(), fixed, chains, maps, sets);
    }

    /** The base chains, fixed chains and map declarations, as {@link NftRuleset#fixed()} wants them. */
    static List<String> fixed(Settings settings) {
        List<String> out = new ArrayList<>();
        String key3 = "{ type ipv4_addr . inet_proto . inet_service : verdict; }";
        String key2 = "{ type inet_proto . inet_service : verdict; }";
        out.add("map " + SERVICE_IPS + " " + key3);
        out.add("map " + SERVICE_NODEPORTS + " " + key2);
        out.add("map " + FIREWALL_IPS + " " + key3);
        out.add("map " + NO_ENDPOINT_SERVICES + " " + key3);
        out.add("map " + NO_ENDPOINT_NODEPORTS + " " + key2);
        out.add("set " + HAIRPIN + " { type ipv4_addr . ipv4_addr; }");
        out.add("chain nat-prerouting { type nat hook prerouting priority -100; policy accept; }");
        out.add("chain nat-output { type nat hook output priority -100; policy accept; }");
        out.add("chain nat-postrouting { type nat hook postrouting priority 100; policy accept; }");
        // before DNAT: loadBalancerSourceRanges
        out.add("chain filter-prerouting { type filter hook prerouting priority -110; policy accept; }");
        out.add("chain filter-output-pre-dnat { type filter hook output priority -110; policy accept; }");
        // after DNAT: what is still addressed to a service port had no endpoint
        out.add("chain filter-input { type filter hook input priority -10; policy accept; }");
        out.add("chain filter-forward { type filter hook forward priority -10; policy accept; }");
        out.add("chain filter-output { type filter hook output priority -10; policy accept; }");
        for (String chain : List.of("services", "firewall-check", "service-endpoints-check", "nodeport-endpoints-check",
                "mark-for-masquerade", "masquerading", "reject-chain")) {
            out.add("chain " + chain);
        }
        String mark = settings.mark();
        out.add("rule nat-prerouting jump services");
        out.add("rule nat-output jump services");
        out.add("rule nat-postrouting jump masquerading");
        out.add("rule filter-prerouting ct state new jump firewall-check");
        out.add("rule filter-output-pre-dnat ct state new jump firewall-check");
        out.add("rule filter-input ct state new jump nodeport-endpoints-check");
        out.add("rule filter-input ct state new jump service-endpoints-check");
        out.add("rule filter-forward ct state new jump service-endpoints-check");
        out.add("rule filter-output ct state new jump service-endpoints-check");
        if (settings.localhostNodePorts()) {
            // what route_localnet would otherwise open: 127/8 from elsewhere, not DNATed
            String localnet = " ip daddr 127.0.0.0/8 ip saddr != 127.0.0.0/8 ct state & (established | related) == 0"
                    + " ct status & dnat == 0 drop";
            out.add("rule filter-input" + localnet);
            out.add("rule filter-output" + localnet);
        }
        out.add("rule services ip daddr . meta l4proto . th dport vmap @" + SERVICE_IPS);
        for (String local : nodePortMatches(settings)) {
            out.add("rule services " + local + " meta l4proto . th dport vmap @" + SERVICE_NODEPORTS);
            out.add("rule nodeport-endpoints-check " + local + " meta l4proto . th dport vmap @" + NO_ENDPOINT_NODEPORTS);
        }
        out.add("rule firewall-check ip daddr . meta l4proto . th dport vmap @" + FIREWALL_IPS);
        out.add("rule service-endpoints-check ip daddr . meta l4proto . th dport vmap @" + NO_ENDPOINT_SERVICES);
        out.add("rule mark-for-masquerade meta mark set meta mark | " + mark);
        // hairpin: an endpoint reaching itself through a service answers the node, not itself
        out.add("rule masquerading ct status dnat ip saddr . ip daddr @" + HAIRPIN + " jump mark-for-masquerade");
        out.add("rule masquerading meta mark & " + mark + " == 0 return");
        out.add("rule masquerading meta mark set meta mark ^ " + mark);
        out.add("rule masquerading masquerade fully-random");
        out.add("rule reject-chain reject");
        return List.copyOf(out);
    }

    /** What makes a destination one node ports answer on. */
    private static List<String> nodePortMatches(Settings settings) {
        if (!settings.nodePortCidrs().isEmpty()) {
            return settings.nodePortCidrs().stream().map(cidr -> "ip daddr " + cidr).toList();
        }
        return List.of(settings.localhostNodePorts() ? "fib daddr type local" : "fib daddr type local ip daddr != 127.0.0.0/8");
    }

    /** {@code ns/name/proto/port} (the port's name, else its number): the readable part of our names. */
    static String base(ServicePort port) {
        return port.namespace() + "/" + port.name() + "/" + port.lowerProtocol() + "/"
                + (port.portName().isEmpty() ? Integer.toString(port.port()) : port.portName());
    }

    static String chain(String kind, ServicePort port) {
        String base = base(port);
        return kind + "-" + Hashes.hash(base, 8) + "-" + base;
    }

    static String endpointChain(ServicePort port, Endpoint endpoint) {
        String base = base(port) + "__" + endpoint.ip() + "/" + endpoint.port();
        return "endpoint-" + Hashes.hash(base, 8) + "-" + base;
    }

    static String affinitySet(ServicePort port, Endpoint endpoint) {
        return "affinity-" + endpointChain(port, endpoint).substring("endpoint-".length());
    }

    private Contribution contribution(ServicePort port, List<Endpoint> endpoints) {
        String proto = port.lowerProtocol();
        List<Endpoint> cluster = ServiceModel.usable(endpoints);
        List<Endpoint> local = ServiceModel.usable(endpoints.stream().filter(Endpoint::local).toList());
        List<Endpoint> internal = port.internalLocal() ? local : cluster;
        boolean externalLocal = port.externalLocal() && port.hasExternal();
        List<Endpoint> external = externalLocal ? local : cluster;
        String svc = chain("service", port);
        String loc = chain("local", port);
        String ext = chain("external", port);
        String internalChain = port.internalLocal() ? loc : svc;

        Map<String, List<String>> chains = new LinkedHashMap<>();
        Map<String, Map<String, String>> elements = new HashMap<>();
        List<String> sets = new ArrayList<>();
        List<Endpoint> used = new ArrayList<>();

        if (!cluster.isEmpty()) {
            chains.put(svc, balance(port, cluster, internalChain.equals(svc)));
            used.addAll(cluster);
        }
        if (!local.isEmpty() && (port.internalLocal() || externalLocal)) {
            chains.put(loc, balance(port, local, internalChain.equals(loc)));
            for (Endpoint endpoint : local) {
                if (!used.contains(endpoint)) {
                    used.add(endpoint);
                }
            }
        }

        String clusterKey = port.clusterIp() + " . " + proto + " . " + port.port();
        if (!internal.isEmpty()) {
            element(elements, SERVICE_IPS, clusterKey, "goto " + internalChain);
        } else {
            element(elements, NO_ENDPOINT_SERVICES, clusterKey, cluster.isEmpty() ? REJECT : DROP);
        }

        if (port.hasExternal()) {
            if (!external.isEmpty()) {
                List<String> rules = new ArrayList<>();
                if (!externalLocal) {
                    rules.add("jump mark-for-masquerade");
                    rules.add("goto " + svc);
                } else {
                    if (!cluster.isEmpty()) {
                        if (!settings.localCidr().isEmpty()) {
                            rules.add("ip saddr " + settings.localCidr() + " goto " + svc);
                        }
                        rules.add("fib saddr type local jump mark-for-masquerade");
                        rules.add("fib saddr type local goto " + svc);
                    }
                    rules.add("goto " + loc);
                }
                chains.put(ext, List.copyOf(rules));
                for (String ip : port.externalIps()) {
                    element(elements, SERVICE_IPS, ip + " . " + proto + " . " + port.port(), "goto " + ext);
                }
                if (port.nodePort() > 0) {
                    element(elements, SERVICE_NODEPORTS, proto + " . " + port.nodePort(), "goto " + ext);
                }
            } else {
                String verdict = cluster.isEmpty() ? REJECT : DROP;
                for (String ip : port.externalIps()) {
                    element(elements, NO_ENDPOINT_SERVICES, ip + " . " + proto + " . " + port.port(), verdict);
                }
                if (port.nodePort() > 0) {
                    element(elements, NO_ENDPOINT_NODEPORTS, proto + " . " + port.nodePort(), verdict);
                }
            }
            if (port.hasFirewall()) {
                String fw = chain("firewall", port);
                chains.put(fw, List.of("ip saddr != { " + String.join(", ", port.sourceRanges()) + " } drop"));
                for (String ip : port.loadBalancerIps()) {
                    element(elements, FIREWALL_IPS, ip + " . " + proto + " . " + port.port(), "goto " + fw);
                }
            }
        }

        for (Endpoint endpoint : used) {
            element(elements, HAIRPIN, endpoint.ip() + " . " + endpoint.ip(), "");
            if (port.affinitySeconds() > 0) {
                // endpoint chains only where affinity needs them: the others DNAT in the balancing chain
                String set = affinitySet(port, endpoint);
                sets.add(set);
                chains.put(endpointChain(port, endpoint), List.of("update @" + set + " { ip saddr timeout " + port.affinitySeconds() + "s }",
                        "meta l4proto " + proto + " dnat to " + endpoint.address()));
            }
        }
        return new Contribution(chains, elements, sets);
    }

    private static void element(Map<String, Map<String, String>> elements, String map, String key, String verdict) {
        elements.computeIfAbsent(map, k -> new LinkedHashMap<>()).put(key, verdict);
    }

    /**
     * A balancing chain: masquerade off-cluster traffic to the cluster IP (when this is the chain
     * the cluster IP goes to), then with ClientIP affinity the endpoint chains (the remembered one,
     * else {@code numgen random mod N vmap}); without, the DNAT itself: {@code dnat to numgen
     * random mod N map { i : ip . port }} (one endpoint: {@code dnat to ip:port}).
     */
    private List<String> balance(ServicePort port, List<Endpoint> endpoints, boolean clusterIpChain) {
        List<String> rules = new ArrayList<>();
        String clusterMatch = "ip daddr " + port.clusterIp() + " " + port.lowerProtocol() + " dport " + port.port();
        if (clusterIpChain) {
            if (settings.masqueradeAll()) {
                rules.add(clusterMatch + " jump mark-for-masquerade");
            } else if (!settings.localCidr().isEmpty()) {
                rules.add(clusterMatch + " ip saddr != " + settings.localCidr() + " jump mark-for-masquerade");
            }
        }
        if (port.affinitySeconds() == 0) {
            String dnat = "meta l4proto " + port.lowerProtocol() + " dnat to ";
            if (endpoints.size() == 1) {
                rules.add(dnat + endpoints.get(0).address());
            } else {
                StringBuilder map = new StringBuilder(dnat).append("numgen random mod ").append(endpoints.size()).append(" map { ");
                for (int i = 0; i < endpoints.size(); i++) {
                    Endpoint endpoint = endpoints.get(i);
                    map.append(i == 0 ? "" : ", ").append(i).append(" : ").append(endpoint.ip()).append(" . ").append(endpoint.port());
                }
                rules.add(map.append(" }").toString());
            }
            return List.copyOf(rules);
        }
        for (Endpoint endpoint : endpoints) {
            rules.add("ip saddr @" + affinitySet(port, endpoint) + " goto " + endpointChain(port, endpoint));
        }
        StringBuilder vmap = new StringBuilder("numgen random mod ").append(endpoints.size()).append(" vmap { ");
        for (int i = 0; i < endpoints.size(); i++) {
            vmap.append(i == 0 ? "" : ", ").append(i).append(" : goto ").append(endpointChain(port, endpoints.get(i)));
        }
        rules.add(vmap.append(" }").toString());
        return List.copyOf(rules);
    }
}
