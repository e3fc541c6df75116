package io.kubundle.proxy.iptables.internal;

import static io.kubundle.proxy.support.ProxyFixtures.clusterIp;
import static io.kubundle.proxy.support.ProxyFixtures.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.ProxyFixtures;
import io.kubundle.proxy.support.ServicePort;
import io.kubundle.proxy.support.Snapshot;

class RuleGeneratorTest {
    private final RuleGenerator generator = new RuleGenerator(Fixtures.settings());
    private final ChainNames names = generator.names();

    private RuleSet generate(ProxyFixtures.State state) {
        Snapshot s = state.snapshot();
        return generator.generate(s.ports(), s.endpoints());
    }

    @Test
    void clusterIpServiceDispatchesBalancesAndDnats() {
        ServicePort web = clusterIp("default", "web", "http", "10.96.0.20", 80);
        RuleSet rules = generate(new ProxyFixtures.State().put(web, ready("10.244.0.5", 8080), ready("10.244.0.6", 8080),
                ready("10.244.0.7", 8080)));
        String svc = names.service(web);
        List<String> services = rules.chains("nat").get("KUBE-SERVICES");
        assertEquals("-m comment --comment \"default/web:http cluster IP\" -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j " + svc,
                services.get(0));
        assertTrue(services.get(services.size() - 1).endsWith("-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS"),
                "node ports come last: " + services);
        List<String> balance = rules.chains("nat").get(svc);
        assertEquals(4, balance.size(), balance.toString());
        assertTrue(balance.get(0).contains("! -s 10.244.0.0/16 -j KUBE-MARK-MASQ"), "what is not pod traffic is masqueraded");
        assertTrue(balance.get(1).contains("--probability 0.3333333333 -j " + names.endpoint(web, ready("10.244.0.5", 8080))));
        assertTrue(balance.get(2).contains("--probability 0.5000000000 -j " + names.endpoint(web, ready("10.244.0.6", 8080))));
        assertFalse(balance.get(3).contains("statistic"), "the last endpoint takes what is left");
        assertTrue(balance.get(3).endsWith("-j " + names.endpoint(web, ready("10.244.0.7", 8080))));
        List<String> sep = rules.chains("nat").get(names.endpoint(web, ready("10.244.0.6", 8080)));
        assertEquals(List.of("-m comment --comment default/web:http -s 10.244.0.6/32 -j KUBE-MARK-MASQ",
                "-m comment --comment default/web:http -p tcp -m tcp -j DNAT --to-destination 10.244.0.6:8080"), sep);
        assertTrue(rules.chains("filter").get("KUBE-SERVICES").isEmpty(), "nothing rejected");
        assertEquals(List.of("-j MARK --or-mark 0x4000"), rules.chains("nat").get("KUBE-MARK-MASQ"));
        assertTrue(rules.chains("nat").get("KUBE-POSTROUTING").get(2).contains("-j MASQUERADE"));
    }

    @Test
    void probabilitiesAreOneOverTheEndpointsLeft() {
        assertEquals("0.2000000000", RuleGenerator.probability(5));
        assertEquals("0.2500000000", RuleGenerator.probability(4));
        assertEquals("0.3333333333", RuleGenerator.probability(3));
        assertEquals("0.5000000000", RuleGenerator.probability(2));
        ServicePort port = clusterIp("default", "five", "", "10.96.0.5", 80);
        Endpoint[] eps = new Endpoint[5];
        for (int i = 0; i < 5; i++) {
            eps[i] = ready("10.244.1." + (i + 1), 80);
        }
        List<String> balance = generate(new ProxyFixtures.State().put(port, eps)).chains("nat").get(names.service(port));
        List<String> probabilities = balance.stream().filter(r -> r.contains("--probability"))
                .map(r -> r.replaceAll(".*--probability (\\S+).*", "$1")).toList();
        assertEquals(List.of("0.2000000000", "0.2500000000", "0.3333333333", "0.5000000000"), probabilities);
    }

    @Test
    void serviceWithoutEndpointsIsRejectedInFilter() {
        ServicePort empty = clusterIp("default", "empty", "", "10.96.0.30", 80);
        RuleSet rules = generate(new ProxyFixtures.State().put(empty));
        assertFalse(rules.chains("nat").containsKey(names.service(empty)));
        assertEquals(List.of("-m comment --comment \"default/empty has no endpoints\" -d 10.96.0.30/32 -p tcp -m tcp --dport 80"
                + " -j REJECT --reject-with icmp-port-unreachable"), rules.chains("filter").get("KUBE-SERVICES"));
    }

    @Test
    void notReadyEndpointsAreLeftOutAndTerminatingServingOnesAreTheFallback() {
        ServicePort port = clusterIp("default", "web", "", "10.96.0.20", 80);
        Endpoint notReady = new Endpoint("10.244.0.9", 80, false, false, false, false);
        Endpoint terminating = new Endpoint("10.244.0.8", 80, false, true, true, false);
        RuleSet one = generate(new ProxyFixtures.State().put(port, ready("10.244.0.5", 80), notReady, terminating));
        assertEquals(2, one.chains("nat").get(names.service(port)).size(), "masquerade rule and one endpoint");
        assertFalse(one.chains("nat").containsKey(names.endpoint(port, notReady)));
        RuleSet fallback = generate(new ProxyFixtures.State().put(port, notReady, terminating));
        assertTrue(fallback.chains("nat").containsKey(names.endpoint(port, terminating)));
        assertFalse(fallback.chains("nat").containsKey(names.endpoint(port, notReady)));
    }

    @Test
    void nodePortAndExternalIpsGoThroughTheExternalChain() {
        ServicePort port = new ServicePort("default", "web", "", "TCP", "10.96.0.20", 80, 30080, List.of("192.0.2.10"), 0, false);
        RuleSet rules = generate(new ProxyFixtures.State().put(port, ready("10.244.0.5", 8080)));
        String ext = names.external(port);
        assertTrue(rules.chains("nat").get("KUBE-SERVICES").contains(
                "-m comment --comment \"default/web external IP\" -d 192.0.2.10/32 -p tcp -m tcp --dport 80 -j " + ext));
        assertEquals(List.of("-m comment --comment default/web -p tcp -m tcp --dport 30080 -j " + ext),
                rules.chains("nat").get("KUBE-NODEPORTS"));
        assertEquals(List.of("-m comment --comment \"masquerade traffic for default/web external destinations\" -j KUBE-MARK-MASQ",
                "-j " + names.service(port)), rules.chains("nat").get(ext));
    }

    @Test
    void externalTrafficPolicyLocalGoesOnlyToLocalEndpoints() {
        ServicePort port = new ServicePort("default", "web", "", "TCP", "10.96.0.20", 80, 30080, List.of(), 0, true);
        Endpoint here = new Endpoint("10.244.0.5", 8080, true, true, false, true);
        Endpoint there = new Endpoint("10.244.1.5", 8080, true, true, false, false);
        RuleSet rules = generate(new ProxyFixtures.State().put(port, here, there));
        String svl = names.serviceLocal(port);
        List<String> ext = rules.chains("nat").get(names.external(port));
        assertTrue(ext.get(0).contains("-s 10.244.0.0/16 -j " + names.service(port)), "pods still reach every endpoint: " + ext);
        assertEquals("-j " + svl, ext.get(ext.size() - 1));
        List<String> local = rules.chains("nat").get(svl);
        assertEquals(1, local.size());
        assertTrue(local.get(0).endsWith("-j " + names.endpoint(port, here)));
        assertEquals(3, rules.chains("nat").get(names.service(port)).size(), "the cluster chain has both");

        RuleSet noLocal = generate(new ProxyFixtures.State().put(port, there));
        assertFalse(noLocal.chains("nat").containsKey(names.external(port)));
        assertTrue(noLocal.chains("nat").get("KUBE-NODEPORTS").isEmpty());
        assertEquals(List.of("-m comment --comment \"default/web has no local endpoints\" -m addrtype --dst-type LOCAL"
                + " -p tcp -m tcp --dport 30080 -j DROP"), noLocal.chains("filter").get("KUBE-EXTERNAL-SERVICES"));
    }

    @Test
    void internalTrafficPolicyLocalSendsClusterIpTrafficToLocalEndpointsOnly() {
        ServicePort port = new ServicePort("default", "itp", "", "TCP", "10.96.0.21", 80, 0, List.of(), 0, false, true, List.of(),
                List.of());
        Endpoint here = new Endpoint("10.244.0.5", 8080, true, true, false, true);
        Endpoint there = new Endpoint("10.244.1.5", 8080, true, true, false, false);
        RuleSet rules = generate(new ProxyFixtures.State().put(port, here, there));
        String svl = names.serviceLocal(port);
        assertTrue(rules.chains("nat").get("KUBE-SERVICES").contains("-m comment --comment \"default/itp cluster IP\" -d 10.96.0.21/32"
                + " -p tcp -m tcp --dport 80 -j " + svl), rules.chains("nat").get("KUBE-SERVICES").toString());
        assertEquals(List.of("-m comment --comment \"default/itp cluster IP\" -d 10.96.0.21/32 -p tcp -m tcp --dport 80"
                + " ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ", "-m comment --comment \"default/itp -> 10.244.0.5:8080\" -j "
                + names.endpoint(port, here)), rules.chains("nat").get(svl), "masquerade off-cluster traffic, then the local endpoint");
        assertFalse(rules.chains("nat").containsKey(names.service(port)), "no external traffic: no cluster-wide chain");

        RuleSet noLocal = generate(new ProxyFixtures.State().put(port, there));
        assertFalse(noLocal.chains("nat").containsKey(svl));
        assertEquals(List.of("-m comment --comment \"default/itp has no local endpoints\" -d 10.96.0.21/32 -p tcp -m tcp --dport 80"
                + " -j DROP"), noLocal.chains("filter").get("KUBE-SERVICES"), "dropped, not rejected: there are endpoints elsewhere");

        // with a node port, external traffic (policy Cluster) still reaches every endpoint
        ServicePort nodePort = new ServicePort("default", "itp", "", "TCP", "10.96.0.21", 80, 30081, List.of(), 0, false, true, List.of(),
                List.of());
        RuleSet both = generate(new ProxyFixtures.State().put(nodePort, here, there));
        assertEquals("-j " + names.service(nodePort), both.chains("nat").get(names.external(nodePort)).get(1));
        assertEquals(2, both.chains("nat").get(names.service(nodePort)).size(), "the cluster chain balances over both, no masquerade rule");
    }

    @Test
    void loadBalancerSourceRangesLetOnlyTheirClientsThroughTheFirewallChain() {
        ServicePort port = new ServicePort("default", "lb", "", "TCP", "10.96.0.22", 80, 30082, List.of("192.0.2.9", "198.51.100.1"), 0,
                false, false, List.of("198.51.100.1"), List.of("203.0.113.0/24", "10.0.0.1"));
        RuleSet rules = generate(new ProxyFixtures.State().put(port, ready("10.244.0.5", 8080)));
        String fw = names.firewall(port);
        String ext = names.external(port);
        assertTrue(fw.matches("KUBE-FW-[A-Z2-7]{16}"), fw);
        List<String> services = rules.chains("nat").get("KUBE-SERVICES");
        assertTrue(services.contains("-m comment --comment \"default/lb loadbalancer IP\" -d 198.51.100.1/32 -p tcp -m tcp --dport 80 -j "
                + fw), services.toString());
        assertTrue(services.contains("-m comment --comment \"default/lb external IP\" -d 192.0.2.9/32 -p tcp -m tcp --dport 80 -j " + ext),
                "an external IP is not filtered: " + services);
        assertEquals(List.of("-m comment --comment \"default/lb loadbalancer IP\" -s 203.0.113.0/24 -j " + ext,
                "-m comment --comment \"default/lb loadbalancer IP\" -s 10.0.0.1 -j " + ext), rules.chains("nat").get(fw));
        assertEquals(List.of("-m comment --comment \"default/lb traffic not accepted by " + fw + "\" -d 198.51.100.1/32 -p tcp -m tcp"
                + " --dport 80 -j DROP"), rules.chains("filter").get("KUBE-PROXY-FIREWALL"));

        RuleSet open = generate(new ProxyFixtures.State().put(new ServicePort("default", "lb", "", "TCP", "10.96.0.22", 80, 30082,
                List.of("198.51.100.1"), 0, false, false, List.of("198.51.100.1"), List.of()), ready("10.244.0.5", 8080)));
        assertTrue(open.chains("filter").get("KUBE-PROXY-FIREWALL").isEmpty(), "no ranges, no firewall");
        assertFalse(open.chains("nat").containsKey(fw));
    }

    @Test
    void clientIpAffinityChecksRecentFirst() {
        ServicePort port = new ServicePort("default", "sticky", "", "TCP", "10.96.0.40", 80, 0, List.of(), 600, false);
        Endpoint a = ready("10.244.0.5", 80);
        Endpoint b = ready("10.244.0.6", 80);
        RuleSet rules = generate(new ProxyFixtures.State().put(port, a, b));
        List<String> svc = rules.chains("nat").get(names.service(port));
        String sepA = names.endpoint(port, a);
        assertTrue(svc.get(1).contains("-m recent --name " + sepA + " --rcheck --seconds 600 --reap -j " + sepA), svc.toString());
        assertTrue(svc.get(3).contains("--probability 0.5000000000"));
        assertTrue(rules.chains("nat").get(sepA).get(1).contains("-m recent --name " + sepA + " --set"));
    }

    @Test
    void udpDnatNamesItsProtocol() {
        ServicePort dns = new ServicePort("kube-system", "dns", "dns", "UDP", "10.96.0.10", 53, 0, List.of(), 0, false);
        Endpoint ep = ready("10.244.0.3", 53);
        RuleSet rules = generate(new ProxyFixtures.State().put(dns, ep));
        assertTrue(rules.chains("nat").get(names.endpoint(dns, ep)).get(1)
                .contains("-p udp -m udp -j DNAT --to-destination 10.244.0.3:53"));
        assertTrue(rules.chains("nat").get("KUBE-SERVICES").get(0).contains("-p udp -m udp --dport 53"));
    }

    @Test
    void partialRestoreWritesOnlyChangedChainsAndDeletesRemovedOnes() {
        ServicePort a = clusterIp("default", "a", "", "10.96.0.1", 80);
        ServicePort b = clusterIp("default", "b", "", "10.96.0.2", 80);
        ProxyFixtures.State state = new ProxyFixtures.State().put(a, ready("10.244.0.5", 80), ready("10.244.0.6", 80)).put(b, ready("10.244.0.7", 80));
        RuleSet first = generate(state);
        assertNull(generate(state).partialRestore(first), "nothing changed, nothing to write");

        // one endpoint of a goes: a's service chain is rewritten, the endpoint's chain deleted; b untouched
        state.put(a, ready("10.244.0.5", 80));
        RuleSet second = generate(state);
        String partial = second.partialRestore(first);
        String goneSep = names.endpoint(a, ready("10.244.0.6", 80));
        assertTrue(partial.contains(":" + names.service(a) + " - [0:0]"), partial);
        assertTrue(partial.contains(":" + goneSep + " - [0:0]\n") && partial.contains("-X " + goneSep + "\n"), partial);
        assertFalse(partial.contains(names.service(b)), "b is not rewritten:\n" + partial);
        assertFalse(partial.contains("KUBE-SERVICES"), "the dispatch did not change:\n" + partial);
        assertFalse(partial.contains("*filter"), partial);
        assertTrue(partial.indexOf("-X " + goneSep) > partial.indexOf("-A " + names.service(a)),
                "deleted after the rules that referred to it are replaced");

        // b goes entirely: the dispatch is rewritten, b's chains deleted
        state.remove(b);
        RuleSet third = generate(state);
        String removal = third.partialRestore(second);
        assertTrue(removal.contains(":KUBE-SERVICES - [0:0]"), removal);
        assertTrue(removal.contains("-X " + names.service(b)) && removal.contains("-X " + names.endpoint(b, ready("10.244.0.7", 80))));
    }

    @Test
    void unchangedServicesReuseTheirRules() {
        ServicePort a = clusterIp("default", "a", "", "10.96.0.1", 80);
        ProxyFixtures.State state = new ProxyFixtures.State().put(a, ready("10.244.0.5", 80));
        RuleSet first = generate(state);
        RuleSet second = generate(state);
        assertSame(first.chains("nat").get(names.service(a)), second.chains("nat").get(names.service(a)));
    }

    @Test
    void fullRestoreDeletesStaleChainsAndReplacesJumps() {
        ServicePort a = clusterIp("default", "a", "", "10.96.0.1", 80);
        RuleSet rules = generate(new ProxyFixtures.State().put(a, ready("10.244.0.5", 80)));
        IptablesSave existing = IptablesSave.parse(String.join("\n",
                "*nat", ":PREROUTING ACCEPT [0:0]", ":KUBE-SERVICES - [0:0]", ":KUBE-SVC-OLDOLDOLDOLDOLDO - [0:0]",
                ":KUBUNDLE-NAT-kbit1 - [0:0]",
                "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-A PREROUTING -j KUBUNDLE-NAT-kbit1", "COMMIT", ""));
        String full = rules.fullRestore(existing, names);
        assertTrue(full.contains(":KUBE-SVC-OLDOLDOLDOLDOLDO - [0:0]\n") && full.contains("-X KUBE-SVC-OLDOLDOLDOLDOLDO\n"), full);
        assertTrue(full.contains("-D PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"));
        assertTrue(full.contains("-I PREROUTING 1 -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"));
        assertFalse(full.contains("KUBUNDLE-NAT-kbit1"), "other chains are not ours");
        assertTrue(full.contains(":" + names.endpoint(a, ready("10.244.0.5", 80)) + " - [0:0]"));

        String cleanup = RuleSet.cleanupRestore(existing, names);
        assertTrue(cleanup.contains("-X KUBE-SERVICES\n") && cleanup.contains("-X KUBE-SVC-OLDOLDOLDOLDOLDO\n"), cleanup);
        assertTrue(cleanup.contains("-D PREROUTING -m comment"), cleanup);
        assertFalse(cleanup.contains("KUBUNDLE"), cleanup);
        assertNull(RuleSet.cleanupRestore(IptablesSave.parse("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n"), names));
    }

    @Test
    void nodePortAddressesAndLocalhost() {
        RuleGenerator restricted = new RuleGenerator(new RuleGenerator.Settings("KUBE", 14, "", false, List.of("192.168.1.0/24"), false));
        RuleSet rules = restricted.generate(java.util.Map.of(), java.util.Map.of());
        assertEquals(List.of("-m comment --comment " + RuleGenerator.NODEPORTS_COMMENT + " -d 192.168.1.0/24 -j KUBE-NODEPORTS"),
                rules.chains("nat").get("KUBE-SERVICES"));
        assertFalse(rules.chains("filter").containsKey("KUBE-FIREWALL"), "no localhost node ports, no guard");
        RuleSet all = new RuleGenerator(new RuleGenerator.Settings("KUBE", 14, "", false, List.of(), false))
                .generate(java.util.Map.of(), java.util.Map.of());
        assertTrue(all.chains("nat").get("KUBE-SERVICES").get(0).contains("! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL"));
    }

    @Test
    void withoutLocalCidrClusterTrafficIsNotMasqueradedUnlessAll() {
        ServicePort a = clusterIp("default", "a", "", "10.96.0.1", 80);
        ProxyFixtures.State state = new ProxyFixtures.State().put(a, ready("10.244.0.5", 80));
        Snapshot s = state.snapshot();
        RuleSet none = new RuleGenerator(new RuleGenerator.Settings("KUBE", 14, "", false, List.of(), true)).generate(s.ports(), s.endpoints());
        assertEquals(1, none.chains("nat").get(names.service(a)).size());
        RuleSet all = new RuleGenerator(new RuleGenerator.Settings("KUBE", 14, "", true, List.of(), true)).generate(s.ports(), s.endpoints());
        assertTrue(all.chains("nat").get(names.service(a)).get(0).endsWith("--dport 80 -j KUBE-MARK-MASQ"));
    }
}
