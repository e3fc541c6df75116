package io.kubundle.net.flannel.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Node;

/**
 * Another node of the overlay, as its Node says (flannel's "lease"): its pod subnet, reached through
 * its VTEP, whose MAC address it published, at its public IP.
 *
 * @param node the Node's name
 * @param subnet its {@code spec.podCIDR}
 * @param vtepMac its {@code backend-data} {@code VtepMAC}, lower case
 * @param publicIp its {@code public-ip}: where the encapsulated packets go
 */
record Peer(String node, Subnet subnet, String vtepMac, String publicIp) {
    static final String PREFIX = "flannel.alpha.coreos.com/";
    static final String BACKEND_TYPE = PREFIX + "backend-type";
    static final String BACKEND_DATA = PREFIX + "backend-data";
    static final String PUBLIC_IP = PREFIX + "public-ip";
    static final String SUBNET_MANAGER = PREFIX + "kube-subnet-manager";
    static final String VXLAN = "vxlan";
    private static final Pattern MAC = Pattern.compile("(?:[0-9a-f]{2}:){5}[0-9a-f]{2}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(Peer.class.getName());

    /** The next hop of the peer's subnet and the neighbour entry's address: its VTEP's address. */
    String gateway() {
        return subnet.network();
    }

    /** The annotations a node publishes so that the others reach its pods, as flannel's vxlan backend writes them. */
    static Map<String, String> annotations(int vni, String vtepMac, String publicIp) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(BACKEND_TYPE, VXLAN);
        annotations.put(BACKEND_DATA, "{\"VNI\":" + vni + ",\"VtepMAC\":\"" + vtepMac + "\"}");
        annotations.put(PUBLIC_IP, publicIp);
        annotations.put(SUBNET_MANAGER, "true");
        return annotations;
    }

    /**
     * The peers {@code nodes} describe for node {@code self} on VXLAN {@code vni}: every other Node with
     * a pod CIDR and complete vxlan annotations of that VNI. Nodes that lack them (not set up yet,
     * another backend) are left out; of two claiming one subnet, the first by name wins (the other
     * is logged). Sorted by node name.
     */
    static List<Peer> of(Collection<Node> nodes, String self, int vni) {
        List<Node> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparing(node -> node.getMetadata().getName()));
        Map<Subnet, Peer> bySubnet = new HashMap<>();
        List<Peer> peers = new ArrayList<>();
        for (Node node : sorted) {
            if (self.equals(node.getMetadata().getName())) {
                continue;
            }
            Peer peer = from(node, vni);
            if (peer == null) {
                continue;
            }
            Peer earlier = bySubnet.putIfAbsent(peer.subnet(), peer);
            if (earlier != null) {
                LOG.log(System.Logger.Level.WARNING, "nodes {0} and {1} both have pod CIDR {2}: routing it to {0}",
                        earlier.node(), peer.node(), peer.subnet());
                continue;
            }
            peers.add(peer);
        }
        return List.copyOf(peers);
    }

    /** The peer {@code node} describes, or null when it describes none (yet) on {@code vni}. */
    static Peer from(Node node, int vni) {
        if (node.getSpec() == null || node.getSpec().getPodCIDR() == null || node.getMetadata().getAnnotations() == null) {
            return null;
        }
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        if (!VXLAN.equals(annotations.get(BACKEND_TYPE))) {
            return null;
        }
        String publicIp = annotations.get(PUBLIC_IP);
        String data = annotations.get(BACKEND_DATA);
        try {
            Subnet subnet = Subnet.parse(node.getSpec().getPodCIDR());
            if (publicIp == null || !Subnet.isAddress(publicIp) || data == null) {
                return null;
            }
            JsonNode backend = JSON.readTree(data);
            String mac = backend.path("VtepMAC").asText("").toLowerCase(Locale.ROOT);
            if (backend.path("VNI").asInt(-1) != vni || !MAC.matcher(mac).matches()) {
                return null;
            }
            return new Peer(node.getMetadata().getName(), subnet, mac, publicIp.strip());
        } catch (IllegalArgumentException | JsonProcessingException e) {
            LOG.log(System.Logger.Level.WARNING, "node {0}: unusable overlay data: {1}", node.getMetadata().getName(),
                    e.getMessage());
            return null;
        }
    }
}
