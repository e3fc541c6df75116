package io.kubundle.proxy.iptables.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.PortContributions;
import io.kubundle.proxy.support.ProxyOptions;
import io.kubundle.proxy.support.ServiceModel;
import io.kubundle.proxy.support.ServicePort;

/**
 * Turns service ports and their endpoints into kube-proxy's iptables layout (its iptables mode,
 * Kubernetes 1.28 and later):
 *
 * <pre>
 * nat    PREROUTING, OUTPUT -&gt; SERVICES:  cluster IP          -&gt; SVC-x (masquerade what is not pod traffic)
 *                                         external / LB IPs   -&gt; EXT-x
 *                                         last: dst-type LOCAL -&gt; NODEPORTS: node port -&gt; EXT-x
 *        EXT-x: mark for masquerade, -&gt; SVC-x; or, with externalTrafficPolicy Local, pod and
 *               local traffic -&gt; SVC-x, the rest -&gt; SVL-x (this node's endpoints only)
 *        SVC-x / SVL-x: ClientIP affinity (-m recent --rcheck), then -m statistic random 1/n, 1/(n-1), ... -&gt; SEP-y
 *        SEP-y: the endpoint itself (hairpin) -&gt; MARK-MASQ; DNAT -p proto --to-destination ip:port
 *        POSTROUTING -&gt; POSTROUTING: MASQUERADE what is marked
 * filter OUTPUT, FORWARD (new) -&gt; SERVICES: REJECT cluster IPs of services without endpoints
 *        INPUT, FORWARD (new) -&gt; EXTERNAL-SERVICES: REJECT (no endpoints) or DROP (no local
 *               endpoints with policy Local) node ports and external IPs
 *        FORWARD -&gt; FORWARD: ACCEPT marked and established traffic
 *        INPUT, OUTPUT -&gt; FIREWALL: DROP to 127/8 from elsewhere unless DNATed (localhost node ports)
 * </pre>
 *
 * The rules of one service port depend only on it and its endpoints, so they are kept from one
 * generation to the next while those do not change: a sync after one endpoint change rebuilds one
 * service's chains. Not thread-safe: one sync at a time.
 */
final class RuleGenerator {
    /** kube-proxy's comment on the last rule of SERVICES. */
    static final String NODEPORTS_COMMENT = "\"kubernetes service nodeports; NOTE: this must be the last rule in this chain\"";

    /**
     * @param prefix the chain prefix ({@code KUBE})
     * @param masqueradeBit the bit of the packet mark that asks for masquerade (kube-proxy: 14)
     * @param localCidr traffic from here is pod traffic, not masqueraded to cluster IPs (empty: unknown, so none is)
     * @param masqueradeAll masquerade all traffic to cluster IPs
     * @param nodePortCidrs addresses node ports answer on; empty: every local address
     * @param localhostNodePorts whether node ports answer on 127.0.0.1 (needs {@code route_localnet})
     */
    record Settings(String prefix, int masqueradeBit, String localCidr, boolean masqueradeAll, List<String> nodePortCidrs,
            boolean localhostNodePorts) {
        Settings {
            nodePortCidrs = List.copyOf(nodePortCidrs);
            ProxyOptions.mark(masqueradeBit);
        }

        String mark() {
            return ProxyOptions.mark(masqueradeBit);
        }
    }

    /** What one service port contributes. */
    private record Contribution(List<String> natServices, List<String> natNodePorts, List<String> filterServices,
            List<String> filterExternal, List<String> filterFirewall, Map<String, List<String>> natChains) {
    }

    private final Settings settings;
    private final ChainNames names;
    private final PortContributions<Contribution> contributions = new PortContributions<>(this::contribution);

    RuleGenerator(Settings settings) {
        this.settings = settings;
        this.names = new ChainNames(settings.prefix());
    }

    Settings settings() {
        return settings;
    }

    ChainNames names() {
        return names;
    }

    /** The wanted rules for these service ports (keyed by {@code ns/name:port/protocol}, sorted for a stable order). */
    RuleSet generate(Map<String, ServicePort> ports, Map<String, List<Endpoint>> endpoints) {
        List<String> natServices = new ArrayList<>();
        List<String> natNodePorts = new ArrayList<>();
        List<String> filterServices = new ArrayList<>();
        List<String> filterExternal = new ArrayList<>();
        List<String> filterFirewall = new ArrayList<>();
        Map<String, List<String>> nat = new LinkedHashMap<>();
        Map<String, List<String>> filter = new LinkedHashMap<>();
        addFixedChains(nat, filter);
        for (Contribution c : contributions.compute(ports, endpoints)) {
            natServices.addAll(c.natServices());
            natNodePorts.addAll(c.natNodePorts());
            filterServices.addAll(c.filterServices());
            filterExternal.addAll(c.filterExternal());
            filterFirewall.addAll(c.filterFirewall());
            nat.putAll(c.natChains());
        }
        if (settings.nodePortCidrs().isEmpty()) {
            natServices.add("-m comment --comment " + NODEPORTS_COMMENT + (settings.localhostNodePorts() ? "" : " ! -d 127.0.0.0/8")
                    + " -m addrtype --dst-type LOCAL -j " + names.nodePorts());
        } else {
            for (String cidr : settings.nodePortCidrs()) {
                natServices.add("-m comment --comment " + NODEPORTS_COMMENT + " -d " + cidr + " -j " + names.nodePorts());
            }
        }
        nat.put(names.services(), natServices);
        nat.put(names.nodePorts(), natNodePorts);
        filter.put(names.services(), filterServices);
        filter.put(names.externalServices(), filterExternal);
        filter.put(names.proxyFirewall(), filterFirewall);
        return new RuleSet(Map.of("nat", nat, "filter", filter), jumps());
    }

    private void addFixedChains(Map<String, List<String>> nat, Map<String, List<String>> filter) {
        String mark = settings.mark();
        nat.put(names.markMasq(), List.of("-j MARK --or-mark " + mark));
        nat.put(names.postrouting(), List.of(
                "-m mark ! --mark " + mark + "/" + mark + " -j RETURN",
                "-j MARK --xor-mark " + mark,
                "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully"));
        filter.put(names.forward(), List.of(
                "-m comment --comment \"kubernetes forwarding rules\" -m mark --mark " + mark + "/" + mark + " -j ACCEPT",
                "-m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"));
        if (settings.localhostNodePorts()) {
            filter.put(names.firewall(), List.of("-m comment --comment \"block incoming localnet connections\" -d 127.0.0.0/8"
                    + " ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP"));
        }
    }

    private List<RuleSet.Jump> jumps() {
        List<RuleSet.Jump> jumps = new ArrayList<>();
        String portals = "-m comment --comment \"kubernetes service portals\" -j " + names.services();
        jumps.add(new RuleSet.Jump("nat", "PREROUTING", portals));
        jumps.add(new RuleSet.Jump("nat", "OUTPUT", portals));
        jumps.add(new RuleSet.Jump("nat", "POSTROUTING",
                "-m comment --comment \"kubernetes postrouting rules\" -j " + names.postrouting()));
        String external = "-m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j "
                + names.externalServices();
        String filterPortals = "-m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j " + names.services();
        jumps.add(new RuleSet.Jump("filter", "INPUT", external));
        jumps.add(new RuleSet.Jump("filter", "FORWARD", external));
        jumps.add(new RuleSet.Jump("filter", "FORWARD", filterPortals));
        jumps.add(new RuleSet.Jump("filter", "OUTPUT", filterPortals));
        jumps.add(new RuleSet.Jump("filter", "FORWARD", "-m comment --comment \"kubernetes forwarding rules\" -j " + names.forward()));
        // loadBalancerSourceRanges: what KUBE-FW-... did not DNAT is still addressed to the load balancer IP, and dropped
        String lbFirewall = "-m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j "
                + names.proxyFirewall();
        jumps.add(new RuleSet.Jump("filter", "INPUT", lbFirewall));
        jumps.add(new RuleSet.Jump("filter", "FORWARD", lbFirewall));
        jumps.add(new RuleSet.Jump("filter", "OUTPUT", lbFirewall));
        if (settings.localhostNodePorts()) {
            jumps.add(new RuleSet.Jump("filter", "INPUT", "-j " + names.firewall()));
            jumps.add(new RuleSet.Jump("filter", "OUTPUT", "-j " + names.firewall()));
        }
        return jumps;
    }

    private Contribution contribution(ServicePort port, List<Endpoint> endpoints) {
        String proto = port.lowerProtocol();
        String portName = port.portNameString();
        String quoted = quote(portName);
        List<Endpoint> cluster = ServiceModel.usable(endpoints);
        List<Endpoint> local = ServiceModel.usable(endpoints.stream().filter(Endpoint::local).toList());
        boolean usesLocal = port.externalLocal() && port.hasExternal();
        boolean hasExternalEndpoints = usesLocal ? !local.isEmpty() : !cluster.isEmpty();
        String svc = names.service(port);
        String svl = names.serviceLocal(port);
        String ext = names.external(port);
        String dport = "-p " + proto + " -m " + proto + " --dport ";

        List<String> natServices = new ArrayList<>();
        List<String> natNodePorts = new ArrayList<>();
        List<String> filterServices = new ArrayList<>();
        List<String> filterExternal = new ArrayList<>();
        List<String> filterFirewall = new ArrayList<>();
        Map<String, List<String>> chains = new LinkedHashMap<>();

        String clusterMatch = "-d " + port.clusterIp() + "/32 " + dport + port.port();
        // where cluster IP traffic goes: every endpoint, or this node's with internalTrafficPolicy: Local
        List<Endpoint> internal = port.internalLocal() ? local : cluster;
        String internalChain = port.internalLocal() ? svl : svc;
        if (!internal.isEmpty()) {
            natServices.add("-m comment --comment " + quote(portName + " cluster IP") + " " + clusterMatch + " -j " + internalChain);
        } else if (cluster.isEmpty()) {
            filterServices.add("-m comment --comment " + quote(portName + " has no endpoints") + " " + clusterMatch
                    + " -j REJECT --reject-with icmp-port-unreachable");
        } else {
            filterServices.add("-m comment --comment " + quote(portName + " has no local endpoints") + " " + clusterMatch + " -j DROP");
        }
        if (!cluster.isEmpty() && (!port.internalLocal() || port.hasExternal())) {
            chains.put(svc, balancing(port, cluster, internalChain.equals(svc) ? clusterMatch : null));
        }
        if (!local.isEmpty() && (port.internalLocal() || usesLocal)) {
            chains.put(svl, balancing(port, local, internalChain.equals(svl) ? clusterMatch : null));
        }

        if (port.hasExternal()) {
            if (hasExternalEndpoints) {
                String fw = names.firewall(port);
                for (String ip : port.externalIps()) {
                    boolean filtered = port.hasFirewall() && port.loadBalancerIps().contains(ip);
                    natServices.add("-m comment --comment " + quote(portName + (filtered ? " loadbalancer IP" : " external IP")) + " -d "
                            + ip + "/32 " + dport + port.port() + " -j " + (filtered ? fw : ext));
                    if (filtered) {
                        filterFirewall.add("-m comment --comment " + quote(portName + " traffic not accepted by " + fw) + " -d " + ip
                                + "/32 " + dport + port.port() + " -j DROP");
                    }
                }
                if (port.hasFirewall()) {
                    List<String> allowed = new ArrayList<>();
                    for (String range : port.sourceRanges()) {
                        allowed.add("-m comment --comment " + quote(portName + " loadbalancer IP") + " -s " + range + " -j " + ext);
                    }
                    chains.put(fw, allowed);
                }
                if (port.nodePort() > 0) {
                    natNodePorts.add("-m comment --comment " + quoted + " " + dport + port.nodePort() + " -j " + ext);
                }
                List<String> rules = new ArrayList<>();
                if (!usesLocal) {
                    rules.add("-m comment --comment " + quote("masquerade traffic for " + portName + " external destinations") + " -j "
                            + names.markMasq());
                    rules.add("-j " + svc);
                } else {
                    if (!cluster.isEmpty()) {
                        if (!settings.localCidr().isEmpty()) {
                            rules.add("-m comment --comment " + quote("pod traffic for " + portName + " external destinations") + " -s "
                                    + settings.localCidr() + " -j " + svc);
                        }
                        rules.add("-m comment --comment " + quote("masquerade LOCAL traffic for " + portName + " external destinations")
                                + " -m addrtype --src-type LOCAL -j " + names.markMasq());
                        rules.add("-m comment --comment " + quote("route LOCAL traffic for " + portName + " external destinations")
                                + " -m addrtype --src-type LOCAL -j " + svc);
                    }
                    rules.add("-j " + svl);
                }
                chains.put(ext, rules);
            } else {
                String verdict = cluster.isEmpty() ? "-j REJECT --reject-with icmp-port-unreachable" : "-j DROP";
                String why = quote(portName + (cluster.isEmpty() ? " has no endpoints" : " has no local endpoints"));
                for (String ip : port.externalIps()) {
                    filterExternal.add("-m comment --comment " + why + " -d " + ip + "/32 " + dport + port.port() + " " + verdict);
                }
                if (port.nodePort() > 0) {
                    filterExternal.add("-m comment --comment " + why + " -m addrtype --dst-type LOCAL " + dport + port.nodePort() + " "
                            + verdict);
                }
            }
        }

        List<Endpoint> all = new ArrayList<>(cluster);
        for (Endpoint endpoint : local) {
            if (!all.contains(endpoint)) {
                all.add(endpoint);
            }
        }
        for (Endpoint endpoint : all) {
            String sep = names.endpoint(port, endpoint);
            String affinity = port.affinitySeconds() > 0 ? " -m recent --name " + sep + " --set" : "";
            chains.put(sep, List.of(
                    "-m comment --comment " + quoted + " -s " + endpoint.ip() + "/32 -j " + names.markMasq(),
                    "-m comment --comment " + quoted + " -p " + proto + affinity + " -m " + proto + " -j DNAT --to-destination "
                            + endpoint.address()));
        }
        return new Contribution(natServices, natNodePorts, filterServices, filterExternal, filterFirewall, chains);
    }

    /**
     * A balancing chain: with {@code clusterMatch} (this is the chain the cluster IP goes to)
     * off-cluster traffic to the cluster IP is marked for masquerade first.
     */
    private List<String> balancing(ServicePort port, List<Endpoint> endpoints, String clusterMatch) {
        List<String> rules = new ArrayList<>();
        String comment = "-m comment --comment " + quote(port.portNameString() + " cluster IP") + " ";
        if (clusterMatch != null && settings.masqueradeAll()) {
            rules.add(comment + clusterMatch + " -j " + names.markMasq());
        } else if (clusterMatch != null && !settings.localCidr().isEmpty()) {
            rules.add(comment + clusterMatch + " ! -s " + settings.localCidr() + " -j " + names.markMasq());
        }
        balance(rules, port, endpoints);
        return rules;
    }

    /** ClientIP affinity first, then 1/n, 1/(n-1), ..., the last endpoint unconditionally. */
    private void balance(List<String> rules, ServicePort port, List<Endpoint> endpoints) {
        String portName = port.portNameString();
        if (port.affinitySeconds() > 0) {
            for (Endpoint endpoint : endpoints) {
                String sep = names.endpoint(port, endpoint);
                rules.add("-m comment --comment " + quote(portName + " -> " + endpoint.address()) + " -m recent --name " + sep
                        + " --rcheck --seconds " + port.affinitySeconds() + " --reap -j " + sep);
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            Endpoint endpoint = endpoints.get(i);
            String rule = "-m comment --comment " + quote(portName + " -> " + endpoint.address());
            if (i < n - 1) {
                rule += " -m statistic --mode random --probability " + probability(n - i);
            }
            rules.add(rule + " -j " + names.endpoint(port, endpoint));
        }
    }

    private static final String[] PROBABILITIES = new String[64];

    /** kube-proxy's {@code fmt.Sprintf("%0.10f", 1.0/n)}. */
    static String probability(int n) {
        if (n < PROBABILITIES.length) {
            String known = PROBABILITIES[n];
            if (known == null) {
                known = String.format(Locale.ROOT, "%.10f", 1.0 / n);
                PROBABILITIES[n] = known;
            }
            return known;
        }
        return String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }

    /** A comment argument: quoted when it has anything but plain characters. */
    static String quote(String text) {
        Objects.requireNonNull(text);
        boolean plain = !text.isEmpty();
        for (int i = 0; i < text.length() && plain; i++) {
            char c = text.charAt(i);
            plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_./:-".indexOf(c) >= 0;
        }
        if (plain) {
            return text;
        }
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
