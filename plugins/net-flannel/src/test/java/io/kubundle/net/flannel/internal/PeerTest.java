package io.kubundle.net.flannel.internal;

import static io.kubundle.net.flannel.internal.TestNodes.node;
import static io.kubundle.net.flannel.internal.TestNodes.published;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;

final class PeerTest {
    private static final String MAC_A = "0e:00:00:00:00:0a";
    private static final String MAC_B = "0e:00:00:00:00:0b";

    @Test
    void theAnnotationsAreFlannels() {
        assertEquals(Map.of("flannel.alpha.coreos.com/backend-type", "vxlan",
                "flannel.alpha.coreos.com/backend-data", "{\"VNI\":1,\"VtepMAC\":\"" + MAC_A + "\"}",
                "flannel.alpha.coreos.com/public-ip", "192.168.251.1",
                "flannel.alpha.coreos.com/kube-subnet-manager", "true"), Peer.annotations(1, MAC_A, "192.168.251.1"));
    }

    @Test
    void everyOtherPublishedNodeIsAPeerSortedByName() {
        List<Peer> peers = Peer.of(List.of(published("node-c", "10.244.3.0/24", "192.168.251.3", MAC_B),
                published("self", "10.244.1.0/24", "192.168.251.1", "0e:00:00:00:00:01"),
                published("node-b", "10.244.2.0/24", "192.168.251.2", MAC_A)), "self", 1);
        assertEquals(List.of(new Peer("node-b", Subnet.parse("10.244.2.0/24"), MAC_A, "192.168.251.2"),
                new Peer("node-c", Subnet.parse("10.244.3.0/24"), MAC_B, "192.168.251.3")), peers);
        assertEquals("10.244.2.0", peers.get(0).gateway());
    }

    @Test
    void nodesThatPublishedNothingUsableAreLeftOut() {
        Map<String, String> otherBackend = new HashMap<>(Peer.annotations(1, MAC_A, "192.168.251.2"));
        otherBackend.put(Peer.BACKEND_TYPE, "host-gw");
        Map<String, String> badMac = new HashMap<>(Peer.annotations(1, "0e:00:00:00:0a", "192.168.251.2"));
        Map<String, String> badIp = new HashMap<>(Peer.annotations(1, MAC_A, "192.168.251"));
        Map<String, String> badJson = new HashMap<>(Peer.annotations(1, MAC_A, "192.168.251.2"));
        badJson.put(Peer.BACKEND_DATA, "{\"VNI\":1,");
        Map<String, String> noIp = new HashMap<>(Peer.annotations(1, MAC_A, "192.168.251.2"));
        noIp.remove(Peer.PUBLIC_IP);
        assertNull(Peer.from(node("n", null, "192.168.251.2", Peer.annotations(1, MAC_A, "192.168.251.2")), 1), "no pod CIDR");
        assertNull(Peer.from(node("n", "10.244.2.0/24", "192.168.251.2", null), 1), "no annotations");
        assertNull(Peer.from(node("n", "10.244.2.0/24", "192.168.251.2", otherBackend), 1), "another backend");
        assertNull(Peer.from(published("n", "10.244.2.0/24", "192.168.251.2", MAC_A), 2), "another VNI");
        assertNull(Peer.from(node("n", "10.244.2.0/24", "192.168.251.2", badMac), 1), "a malformed MAC");
        assertNull(Peer.from(node("n", "10.244.2.0/24", "192.168.251.2", badIp), 1), "a malformed public IP");
        assertNull(Peer.from(node("n", "10.244.2.0/24", "192.168.251.2", badJson), 1), "malformed backend data");
        assertNull(Peer.from(node("n", "10.244.2.0/24", "192.168.251.2", noIp), 1), "no public IP");
        assertNull(Peer.from(published("n", "fd00::/64", "192.168.251.2", MAC_A), 1), "an IPv6 pod CIDR");
    }

    @Test
    void aMacInCapitalsIsTakenInLowerCaseAsTheKernelPrintsIt() {
        Peer peer = Peer.from(published("n", "10.244.2.0/24", "192.168.251.2", "0E:AA:BB:CC:DD:EE"), 1);
        assertEquals("0e:aa:bb:cc:dd:ee", peer.vtepMac());
    }

    @Test
    void ofTwoNodesClaimingOneSubnetTheFirstByNameWins() {
        List<Peer> peers = Peer.of(List.of(published("node-z", "10.244.2.0/24", "192.168.251.9", MAC_B),
                published("node-b", "10.244.2.0/24", "192.168.251.2", MAC_A)), "self", 1);
        assertEquals(List.of("node-b"), peers.stream().map(Peer::node).toList());
    }

    @Test
    void onlyWhatTheOverlayReadsMakesAnUpdateWorthASync() {
        Node node = published("node-b", "10.244.2.0/24", "192.168.251.2", MAC_A);
        Node heartbeat = new NodeBuilder(node).editMetadata().addToLabels("seen", "now").addToAnnotations("other/note", "x")
                .endMetadata().editStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build();
        assertEquals(FlannelDaemon.overlayData(node), FlannelDaemon.overlayData(heartbeat));
        for (Node changed : List.of(new NodeBuilder(node).editSpec().withPodCIDR("10.244.9.0/24").endSpec().build(),
                published("node-b", "10.244.2.0/24", "192.168.251.2", MAC_B),
                published("node-b", "10.244.2.0/24", "192.168.251.7", MAC_A),
                new NodeBuilder(node).editMetadata().removeFromAnnotations(Peer.SUBNET_MANAGER).endMetadata().build())) {
            assertNotEquals(FlannelDaemon.overlayData(node), FlannelDaemon.overlayData(changed), changed.toString());
        }
    }

    @Test
    void subnetsAreCanonicalAndCheckedLikeIpDoes() {
        assertEquals("10.244.3.0/24", Subnet.parse("10.244.3.77/24").toString());
        assertEquals("10.244.3.77/32", Subnet.parse("10.244.3.77").toString());
        assertEquals("0.0.0.0/0", Subnet.parse("10.1.2.3/0").toString());
        assertEquals("255.255.255.255", Subnet.dotted(Subnet.address("255.255.255.255")));
        for (String bad : List.of("10.244.3.0/33", "10.244.256.0/24", "10.244.3/24", "default", "10.244.3.0/x")) {
            assertThrows(IllegalArgumentException.class, () -> Subnet.parse(bad), bad);
        }
    }
}
