package io.kubundle.net.flannel.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.controller.support.Kinds;

/**
 * The overlay daemon of one node, as flanneld with the kube subnet manager: it watches the Nodes,
 * and once its own has a pod CIDR it makes (or adopts) the VTEP, publishes the VTEP's data on its
 * Node and keeps, for every other node that published its own, a route, a neighbour and an FDB
 * entry. Level-triggered: every change to what the overlay reads of any Node, and a timer, queue
 * the one key {@link #SYNC}; one worker ({@link ControllerLoop}) reconciles the whole state from
 * the informer's cache against what the kernel reports. Closing it stops the watching and leaves
 * the device and its entries as they are.
 */
final class FlannelDaemon implements ControllerHost.Controller {
    static final String SYNC = "sync";
    private static final System.Logger LOG = System.getLogger(FlannelDaemon.class.getName());
    private static final Duration FIRST_LIST = Duration.ofSeconds(30);
    private static final int MAX_RETRIES = 10;

    /**
     * @param nodeName this node's Node
     * @param nodeIp where other nodes send this node's packets; blank for the Node's InternalIP
     * @param resync how often the whole state is reconciled though nothing changed
     */
    record Settings(String nodeName, String nodeIp, int vni, Duration resync) {
    }

    private final ResourceClient<Node> nodes;
    private final Settings settings;
    private final Vtep vtep;
    private final Informer<Node> informer;
    private final WorkQueue<String> queue = new WorkQueue<>("net-flannel");
    private final ControllerLoop loop;

    FlannelDaemon(KubeClient client, Settings settings, Vtep vtep) {
        this.nodes = client.resources(Kinds.NODES);
        this.settings = settings;
        this.vtep = vtep;
        this.informer = new Informer<>(nodes, settings.resync());
        // after the retries a failing sync waits for the next change or the informer's resync
        this.loop = new ControllerLoop("net-flannel", queue, this::sync, MAX_RETRIES);
    }

    @Override
    public void start() throws Exception {
        informer.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Node node) {
                queue.add(SYNC);
            }

            @Override
            public void onUpdate(Node oldNode, Node newNode) {
                // a resync (the same object) or a change of what the overlay uses; not a heartbeat
                if (oldNode == newNode || !overlayData(oldNode).equals(overlayData(newNode))) {
                    queue.add(SYNC);
                }
            }

            @Override
            public void onDelete(Node node) {
                queue.add(SYNC);
            }
        });
        informer.start();
        if (!informer.awaitSynced(FIRST_LIST)) {
            throw new IllegalStateException("the Nodes were not listed within " + FIRST_LIST.toSeconds() + " s");
        }
        queue.add(SYNC);
        loop.start(1);
    }

    /**
     * What the overlay reads from a Node: its name, pod CIDR, addresses and flannel annotations.
     * Updates that change none of it (status heartbeats, conditions, labels) need no sync.
     */
    static List<Object> overlayData(Node node) {
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        Map<String, String> flannel = annotations == null ? Map.of() : annotations.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith(Peer.PREFIX))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        return Arrays.asList(node.getMetadata().getName(), node.getSpec() == null ? null : node.getSpec().getPodCIDR(),
                node.getStatus() == null ? null : node.getStatus().getAddresses(), flannel);
    }

    /** One reconciliation of the VTEP, this node's annotations and the peers' entries ({@code key} is {@link #SYNC}). */
    private Duration sync(String key) throws Exception {
        Node self = informer.get(settings.nodeName()).orElse(null);
        if (self == null || self.getSpec() == null || self.getSpec().getPodCIDR() == null) {
            LOG.log(System.Logger.Level.DEBUG, "waiting for Node {0} to have a pod CIDR", settings.nodeName());
            return Duration.ZERO;
        }
        String nodeIp = nodeIp(self);
        Subnet subnet = Subnet.parse(self.getSpec().getPodCIDR());
        String mac = vtep.ensure(nodeIp, subnet);
        publish(self, Peer.annotations(settings.vni(), mac, nodeIp));
        List<Peer> peers = Peer.of(informer.list(), settings.nodeName(), settings.vni());
        int changes = vtep.apply(Entries.wanted(peers));
        if (changes > 0) {
            LOG.log(System.Logger.Level.INFO, "overlay on {0}: {1} change(s) for {2} peer(s)", vtep.device(), changes,
                    peers.size());
        }
        // the host's side is checked again even if no Node changes (someone may have removed an entry)
        return settings.resync();
    }

    private String nodeIp(Node self) {
        if (!settings.nodeIp().isBlank()) {
            return settings.nodeIp();
        }
        if (self.getStatus() != null && self.getStatus().getAddresses() != null) {
            for (NodeAddress address : self.getStatus().getAddresses()) {
                if ("InternalIP".equals(address.getType()) && Subnet.isAddress(address.getAddress())) {
                    return address.getAddress();
                }
            }
        }
        throw new IllegalStateException("Node " + settings.nodeName()
                + " has no IPv4 InternalIP and none is configured (nodeIp)");
    }

    /** Sets {@code annotations} on this node's Node with a merge patch, unless it has them already. */
    private void publish(Node self, Map<String, String> annotations) throws Exception {
        Map<String, String> current = self.getMetadata().getAnnotations();
        boolean published = current != null && annotations.entrySet().stream()
                .allMatch(entry -> Objects.equals(current.get(entry.getKey()), entry.getValue()));
        if (!published) {
            nodes.patch(null, settings.nodeName(), PatchType.MERGE, Map.of("metadata", Map.of("annotations", annotations)));
            LOG.log(System.Logger.Level.INFO, "published the overlay data of {0}: {1}", settings.nodeName(), annotations);
        }
    }

    @Override
    public void close() {
        loop.close();
        informer.close();
    }
}
