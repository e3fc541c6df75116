package io.kubundle.proxy.iptables.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.kubundle.proxy.support.ProxyFixtures;
import io.kubundle.proxy.support.ServicePort;

class ChainNamesTest {
    private final ChainNames names = new ChainNames("KUBE");

    @Test
    void namesAreKubeProxys() {
        // the names kube-proxy's own tests expect for ns1/svc1:p80 and its endpoint 10.180.0.1:80
        ServicePort port = ProxyFixtures.clusterIp("ns1", "svc1", "p80", "172.30.0.41", 80);
        assertEquals("KUBE-SVC-XPGD46QRK7WJZT7O", names.service(port));
        assertEquals("KUBE-SEP-SXIVWICOYRO3J4NJ", names.endpoint(port, ProxyFixtures.ready("10.180.0.1", 80)));
        assertEquals("KUBE-EXT-XPGD46QRK7WJZT7O", names.external(port));
        assertEquals("KUBE-SVL-XPGD46QRK7WJZT7O", names.serviceLocal(port));
    }

    @Test
    void hashIsBase32OfSha256() {
        // sha256("") = e3b0c442..., base32 "4OYMIQUY7QOBJGX36TEJS35ZEQ..."
        assertEquals("4OYMIQUY7QOBJGX3", ChainNames.hash(""));
        assertEquals(16, ChainNames.hash("x").length());
        assertTrue(ChainNames.hash("default/web:http" + "tcp").matches("[A-Z2-7]{16}"));
    }

    @Test
    void protocolAndPortNameMakeDifferentChains() {
        ServicePort tcp = ProxyFixtures.clusterIp("ns", "dns", "dns", "10.96.0.10", 53);
        ServicePort udp = new ServicePort("ns", "dns", "dns", "UDP", "10.96.0.10", 53, 0, java.util.List.of(), 0, false);
        assertFalse(names.service(tcp).equals(names.service(udp)));
    }

    @Test
    void prefixesAreCheckedAndOwned() {
        ChainNames other = new ChainNames("KP1234");
        assertEquals("KP1234-SERVICES", other.services());
        assertTrue(other.service(ProxyFixtures.clusterIp("a", "b", "", "10.96.0.1", 80)).length() <= ChainNames.MAX_LENGTH);
        assertTrue(names.owns("KUBE-SEP-X"));
        assertFalse(names.owns("KUBUNDLE-NAT-kbit1"));
        assertFalse(names.owns("PREROUTING"));
        assertThrows(IllegalArgumentException.class, () -> new ChainNames("kube"));
        assertThrows(IllegalArgumentException.class, () -> new ChainNames("KUBERNETESX"));
    }
}
