package io.kubundle.net.flannel.internal;

import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;

/** Nodes as the API server would hold them, for the tests. */
final class TestNodes {
    private TestNodes() {
    }

    /** A Node with a pod CIDR (or none, when null), the given annotations and {@code ip} as its InternalIP. */
    static Node node(String name, String podCidr, String ip, Map<String, String> annotations) {
        return new NodeBuilder().withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).endSpec()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress().endStatus().build();
    }

    /** A Node that has published its VTEP, as the daemon on it does. */
    static Node published(String name, String podCidr, String ip, String mac) {
        return node(name, podCidr, ip, Peer.annotations(1, mac, ip));
    }
}
