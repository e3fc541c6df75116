package io.kubundle.proxy.nftables.internal;

import static io.kubundle.proxy.support.ProxyFixtures.clusterIp;
import static io.kubundle.proxy.support.ProxyFixtures.ready;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.ProxyFixtures;
import io.kubundle.proxy.support.ServicePort;
import io.kubundle.proxy.support.Snapshot;

class NftGeneratorTest {
    private static final NftGenerator.Settings SETTINGS = new NftGenerator.Settings("kp", 14, "10.244.0.0/16", false, List.of(), true);

    private final NftGenerator generator = new NftGenerator(SETTINGS);

    private NftRuleset generate(ProxyFixtures.State state) {
        Snapshot snapshot = state.snapshot();
        return generator.generate(snapshot.ports(), snapshot.endpoints());
    }

    private static Endpoint local(String ip, int port) {
        return new Endpoint(ip, port, true, true, false, true);
    }

    @Test
    void namesAreKubeProxysShape() {
        ServicePort port = clusterIp("ns1", "svc1", "p80", "172.30.0.41", 80);
        String service = NftGenerator.chain("service", port);
        assertTrue(service.matches("service-[A-Z2-7]{8}-ns1/svc1/tcp/p80"), service);
        assertEquals(service.substring(8, 16), io.kubundle.proxy.support.Hashes.hash("ns1/svc1/tcp/p80").substring(0, 8));
        assertTrue(NftGenerator.endpointChain(port, ready("10.180.0.1", 80)).matches("endpoint-[A-Z2-7]{8}-ns1/svc1/tcp/p80__10.180.0.1/80"));
        assertTrue(NftGenerator.chain("service", clusterIp("a", "b", "", "10.96.0.1", 8080)).endsWith("-a/b/tcp/8080"),
                "an unnamed port goes by its number");
        assertThrows(IllegalArgumentException.class, () -> new NftGenerator.Settings("bad table", 14, "", false, List.of(), true));
    }

    @Test
    void aClusterIpMapsToItsServiceChainWhichMasqueradesOffClusterTrafficAndPicksAnEndpoint() {
        ServicePort web = clusterIp("default", "web", "http", "10.96.0.10", 80);
        NftRuleset rules = generate(new ProxyFixtures.State().put(web, ready("10.244.0.5", 8080), ready("10.244.0.6", 8080),
                new Endpoint("10.244.0.7", 8080, false, false, false, false)));
        String svc = NftGenerator.chain("service", web);
        assertEquals(Map.of("10.96.0.10 . tcp . 80", "goto " + svc), rules.maps().get(NftGenerator.SERVICE_IPS));
        assertEquals(List.of("ip daddr 10.96.0.10 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade",
                "meta l4proto tcp dnat to numgen random mod 2 map { 0 : 10.244.0.5 . 8080, 1 : 10.244.0.6 . 8080 }"),
                rules.chains().get(svc), "the DNAT in the service chain: the endpoint that is not ready is left out");
        assertEquals(List.of(svc), List.copyOf(rules.chains().keySet()), "no endpoint chains without affinity");
        assertEquals(Map.of("10.244.0.5 . 10.244.0.5", "", "10.244.0.6 . 10.244.0.6", ""), rules.maps().get(NftGenerator.HAIRPIN),
                "hairpin: each endpoint reaching itself");
        assertTrue(rules.fixed().contains("rule masquerading ct status dnat ip saddr . ip daddr @hairpin jump mark-for-masquerade"));
        assertTrue(rules.full().contains("  set hairpin {\n    type ipv4_addr . ipv4_addr;\n"
                + "    elements = { 10.244.0.5 . 10.244.0.5,\n      10.244.0.6 . 10.244.0.6 }\n  }\n"), rules.full());
        assertTrue(rules.sets().isEmpty());

        NftGenerator all = new NftGenerator(new NftGenerator.Settings("kp", 14, "", true, List.of(), true));
        Snapshot snapshot = new ProxyFixtures.State().put(web, ready("10.244.0.5", 8080)).snapshot();
        assertEquals("ip daddr 10.96.0.10 tcp dport 80 jump mark-for-masquerade",
                all.generate(snapshot.ports(), snapshot.endpoints()).chains().get(svc).get(0), "masqueradeAll");
    }

    @Test
    void withoutEndpointsClusterIpsNodePortsAndExternalIpsAreRejected() {
        ServicePort port = new ServicePort("default", "empty", "", "UDP", "10.96.0.11", 53, 30053, List.of("192.0.2.1"), 0, false);
        NftRuleset rules = generate(new ProxyFixtures.State().put(port));
        assertEquals(Map.of("10.96.0.11 . udp . 53", NftGenerator.REJECT, "192.0.2.1 . udp . 53", NftGenerator.REJECT),
                rules.maps().get(NftGenerator.NO_ENDPOINT_SERVICES));
        assertEquals(Map.of("udp . 30053", NftGenerator.REJECT), rules.maps().get(NftGenerator.NO_ENDPOINT_NODEPORTS));
        assertTrue(rules.maps().get(NftGenerator.SERVICE_IPS).isEmpty());
        assertTrue(rules.chains().isEmpty());
    }

    @Test
    void nodePortsAndExternalIpsGoThroughTheExternalChain() {
        ServicePort port = new ServicePort("default", "web", "", "TCP", "10.96.0.12", 80, 30080, List.of("192.0.2.2"), 0, false);
        NftRuleset rules = generate(new ProxyFixtures.State().put(port, ready("10.244.0.5", 8080)));
        String ext = NftGenerator.chain("external", port);
        assertEquals("goto " + ext, rules.maps().get(NftGenerator.SERVICE_IPS).get("192.0.2.2 . tcp . 80"));
        assertEquals(Map.of("tcp . 30080", "goto " + ext), rules.maps().get(NftGenerator.SERVICE_NODEPORTS));
        assertEquals(List.of("jump mark-for-masquerade", "goto " + NftGenerator.chain("service", port)), rules.chains().get(ext));
    }

    @Test
    void externalTrafficPolicyLocalKeepsTheClientAddressAndDropsWithoutLocalEndpoints() {
        ServicePort port = new ServicePort("default", "web", "", "TCP", "10.96.0.13", 80, 30080, List.of(), 0, true);
        Endpoint here = local("10.244.0.5", 8080);
        NftRuleset rules = generate(new ProxyFixtures.State().put(port, here, ready("10.244.1.5", 8080)));
        String svc = NftGenerator.chain("service", port);
        String loc = NftGenerator.chain("local", port);
        assertEquals(List.of("ip saddr 10.244.0.0/16 goto " + svc, "fib saddr type local jump mark-for-masquerade",
                "fib saddr type local goto " + svc, "goto " + loc), rules.chains().get(NftGenerator.chain("external", port)));
        assertEquals(List.of("meta l4proto tcp dnat to 10.244.0.5:8080"),
                rules.chains().get(loc), "only this node's endpoint, no masquerade rule (not the cluster IP's chain)");
        assertEquals("goto " + svc, rules.maps().get(NftGenerator.SERVICE_IPS).get("10.96.0.13 . tcp . 80"),
                "the cluster IP still reaches every endpoint");

        NftRuleset none = generate(new ProxyFixtures.State().put(port, ready("10.244.1.5", 8080)));
        assertEquals(Map.of("tcp . 30080", NftGenerator.DROP), none.maps().get(NftGenerator.NO_ENDPOINT_NODEPORTS));
        assertFalse(none.chains().containsKey(loc));
    }

    @Test
    void internalTrafficPolicyLocalSendsClusterIpTrafficToLocalEndpointsOnly() {
        ServicePort port = new ServicePort("default", "itp", "", "TCP", "10.96.0.14", 80, 30080, List.of(), 0, false, true, List.of(),
                List.of());
        Endpoint here = local("10.244.0.5", 8080);
        NftRuleset rules = generate(new ProxyFixtures.State().put(port, here, ready("10.244.1.5", 8080)));
        String loc = NftGenerator.chain("local", port);
        String svc = NftGenerator.chain("service", port);
        assertEquals("goto " + loc, rules.maps().get(NftGenerator.SERVICE_IPS).get("10.96.0.14 . tcp . 80"));
        assertEquals("ip daddr 10.96.0.14 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade", rules.chains().get(loc).get(0));
        assertEquals("goto " + svc, rules.chains().get(NftGenerator.chain("external", port)).get(1),
                "external traffic (policy Cluster) still reaches every endpoint");
        assertTrue(rules.chains().get(svc).get(0).startsWith("meta l4proto tcp dnat to numgen random mod 2 map"),
                rules.chains().get(svc).toString());

        NftRuleset none = generate(new ProxyFixtures.State().put(port, ready("10.244.1.5", 8080)));
        assertEquals(Map.of("10.96.0.14 . tcp . 80", NftGenerator.DROP), none.maps().get(NftGenerator.NO_ENDPOINT_SERVICES));
    }

    @Test
    void loadBalancerSourceRangesFilterTheLoadBalancerIpsOnly() {
        ServicePort port = new ServicePort("default", "lb", "", "TCP", "10.96.0.15", 80, 30080, List.of("192.0.2.9", "198.51.100.1"), 0,
                false, false, List.of("198.51.100.1"), List.of("203.0.113.0/24", "10.0.0.1"));
        NftRuleset rules = generate(new ProxyFixtures.State().put(port, ready("10.244.0.5", 8080)));
        String fw = NftGenerator.chain("firewall", port);
        assertEquals(Map.of("198.51.100.1 . tcp . 80", "goto " + fw), rules.maps().get(NftGenerator.FIREWALL_IPS));
        assertEquals(List.of("ip saddr != { 203.0.113.0/24, 10.0.0.1 } drop"), rules.chains().get(fw));
        assertTrue(rules.fixed().contains("rule filter-prerouting ct state new jump firewall-check"));
    }

    @Test
    void clientIpAffinityRemembersTheClientInASetPerEndpoint() {
        ServicePort port = new ServicePort("default", "sticky", "", "TCP", "10.96.0.16", 80, 0, List.of(), 600, false);
        Endpoint a = ready("10.244.0.5", 8080);
        NftRuleset rules = generate(new ProxyFixtures.State().put(port, a, ready("10.244.0.6", 8080)));
        String set = NftGenerator.affinitySet(port, a);
        assertTrue(rules.sets().contains(set) && rules.sets().size() == 2, rules.sets().toString());
        assertTrue(rules.chains().get(NftGenerator.chain("service", port)).contains("ip saddr @" + set + " goto "
                + NftGenerator.endpointChain(port, a)));
        assertEquals(List.of("update @" + set + " { ip saddr timeout 600s }", "meta l4proto tcp dnat to 10.244.0.5:8080"),
                rules.chains().get(NftGenerator.endpointChain(port, a)));
        assertTrue(rules.chains().get(NftGenerator.chain("service", port)).get(3).startsWith("numgen random mod 2 vmap { 0 : goto endpoint-"),
                rules.chains().toString());
        assertTrue(rules.full().contains("  set " + set + " " + NftRuleset.SET_TYPE + "\n"), rules.full());
    }

    @Test
    void aPartialSyncWritesOnlyTheChangedChainAndItsEndpoints() {
        ServicePort a = clusterIp("default", "a", "", "10.96.0.1", 80);
        ServicePort b = clusterIp("default", "b", "", "10.96.0.2", 80);
        ProxyFixtures.State state = new ProxyFixtures.State().put(a, ready("10.244.0.5", 80), ready("10.244.0.6", 80))
                .put(b, ready("10.244.0.7", 80));
        NftRuleset first = generate(state);
        assertTrue(first.full().startsWith("add table ip kp\ndelete table ip kp\ntable ip kp {\n"));
        assertNull(generate(state).partial(first), "nothing changed, nothing to write");

        state.put(a, ready("10.244.0.5", 80), ready("10.244.0.8", 80));
        NftRuleset second = generate(state);
        assertSame(first.chains().get(NftGenerator.chain("service", b)), second.chains().get(NftGenerator.chain("service", b)),
                "an unchanged service port is not generated again");
        String svc = NftGenerator.chain("service", a);
        assertEquals("flush chain ip kp " + svc + "\n"
                + "add rule ip kp " + svc + " ip daddr 10.96.0.1 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade\n"
                + "add rule ip kp " + svc + " meta l4proto tcp dnat to numgen random mod 2 map { 0 : 10.244.0.5 . 80, 1 : 10.244.0.8 . 80 }\n"
                + "delete element ip kp hairpin { 10.244.0.6 . 10.244.0.6 }\n"
                + "add element ip kp hairpin { 10.244.0.8 . 10.244.0.8 }\n", second.partial(first));

        // b loses its endpoints: its element moves to the reject map, its chains go
        state.put(b);
        String partial = generate(state).partial(second);
        assertTrue(partial.contains("delete element ip kp service-ips { 10.96.0.2 . tcp . 80 }\n"), partial);
        assertTrue(partial.contains("add element ip kp no-endpoint-services { 10.96.0.2 . tcp . 80 : goto reject-chain }\n"), partial);
        assertTrue(partial.indexOf("delete element") < partial.indexOf("delete chain ip kp " + NftGenerator.chain("service", b)),
                "the element that refers to a chain goes first");
        assertTrue(partial.contains("delete element ip kp hairpin { 10.244.0.7 . 10.244.0.7 }\n"), partial);
    }

    @Test
    void aHairpinElementStaysWhileAnyServiceHasItsEndpoint() {
        ServicePort a = clusterIp("default", "a", "", "10.96.0.1", 80);
        ServicePort b = clusterIp("default", "b", "", "10.96.0.2", 80);
        ProxyFixtures.State state = new ProxyFixtures.State().put(a, ready("10.244.0.5", 80)).put(b, ready("10.244.0.5", 8080));
        NftRuleset first = generate(state);
        assertEquals(Map.of("10.244.0.5 . 10.244.0.5", ""), first.maps().get(NftGenerator.HAIRPIN));
        state.put(b, ready("10.244.0.9", 8080));
        String partial = generate(state).partial(first);
        assertFalse(partial.contains("delete element ip kp hairpin"), "a still goes to 10.244.0.5: " + partial);
        assertTrue(partial.contains("add element ip kp hairpin { 10.244.0.9 . 10.244.0.9 }\n"), partial);
    }

    @Test
    void affinitySetsComeBeforeTheirChainsAndGoAfterThem() {
        ServicePort port = new ServicePort("default", "sticky", "", "TCP", "10.96.0.16", 80, 0, List.of(), 600, false);
        ProxyFixtures.State state = new ProxyFixtures.State().put(port, ready("10.244.0.5", 8080));
        NftRuleset first = generate(state);
        state.put(port, ready("10.244.0.6", 8080));
        String partial = generate(state).partial(first);
        String added = NftGenerator.affinitySet(port, ready("10.244.0.6", 8080));
        String removed = NftGenerator.affinitySet(port, ready("10.244.0.5", 8080));
        assertTrue(partial.startsWith("add set ip kp " + added + " "), partial);
        assertTrue(partial.endsWith("delete set ip kp " + removed + "\n"), partial);
    }

    @Test
    void changedSettingsNeedAFullSync() {
        ProxyFixtures.State state = new ProxyFixtures.State().put(clusterIp("default", "a", "", "10.96.0.1", 80), ready("10.244.0.5", 80));
        NftRuleset one = generate(state);
        Snapshot snapshot = state.snapshot();
        NftRuleset other = new NftGenerator(new NftGenerator.Settings("kp", 13, "10.244.0.0/16", false, List.of(), true))
                .generate(snapshot.ports(), snapshot.endpoints());
        assertFalse(other.canFollow(one), "another masquerade bit changes the fixed chains");
        assertThrows(IllegalArgumentException.class, () -> other.partial(one));
        assertTrue(NftGenerator.fixed(new NftGenerator.Settings("kp", 14, "", false, List.of("192.0.2.0/24"), false))
                .contains("rule services ip daddr 192.0.2.0/24 meta l4proto . th dport vmap @service-nodeports"));
    }
}
