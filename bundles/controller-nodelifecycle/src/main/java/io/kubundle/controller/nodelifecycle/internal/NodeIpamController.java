package io.kubundle.controller.nodelifecycle.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Node;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Kinds;

/**
 * Kubernetes' node IPAM controller with the range allocator: every node gets a block of the
 * cluster CIDR as {@code spec.podCIDR} and {@code spec.podCIDRs}. The blocks nodes hold are marked
 * used from the informer before any is handed out (so a new instance after a swap never gives out
 * one that is held), and a deleted node's block is released. The write carries the node's
 * {@code resourceVersion}: a stale cache means a conflict and a retry, never two blocks.
 */
final class NodeIpamController implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(NodeIpamController.class.getName());

    private final KubeClient client;
    private final ResourceClient<Node> nodes;
    private final CidrAllocator allocator;
    private final EventRecorder events;
    private final WorkQueue<String> queue = new WorkQueue<>("node-ipam");
    private final Informer<Node> informer;
    private final ControllerLoop loop;

    NodeIpamController(KubeClient client, CidrAllocator allocator) {
        this.client = client;
        this.nodes = client.resources(Kinds.NODES);
        this.allocator = allocator;
        this.events = new EventRecorder(client, "cidrAllocator");
        this.informer = new Informer<>(nodes, Duration.ZERO);
        this.loop = new ControllerLoop("node-ipam", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws InterruptedException, IOException {
        informer.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Node node) {
                cidrs(node).forEach(allocator::occupy);
                queue.add(node.getMetadata().getName());
            }

            @Override
            public void onUpdate(Node oldNode, Node newNode) {
                cidrs(newNode).forEach(allocator::occupy);
                queue.add(newNode.getMetadata().getName());
            }

            @Override
            public void onDelete(Node node) {
                cidrs(node).forEach(allocator::release);
            }
        });
        informer.start();
        if (!informer.awaitSynced(Duration.ofSeconds(60))) {
            throw new IOException("node IPAM: the nodes did not list within 60 s");
        }
        loop.start(1);
    }

    @Override
    public void close() {
        loop.close();
        informer.close();
    }

    private static List<String> cidrs(Node node) {
        List<String> result = new ArrayList<>();
        if (node.getSpec() != null && node.getSpec().getPodCIDRs() != null) {
            result.addAll(node.getSpec().getPodCIDRs());
        }
        if (node.getSpec() != null && node.getSpec().getPodCIDR() != null && !result.contains(node.getSpec().getPodCIDR())) {
            result.add(node.getSpec().getPodCIDR());
        }
        return result;
    }

    private Duration reconcile(String name) throws Exception {
        Node node = informer.get(name).orElse(null);
        if (node == null || node.getMetadata().getDeletionTimestamp() != null || !cidrs(node).isEmpty()) {
            return Duration.ZERO;
        }
        Optional<String> cidr = allocator.allocate();
        if (cidr.isEmpty()) {
            events.warning(node, "CIDRNotAvailable", "Node " + name + " status is now: CIDRNotAvailable");
            return Duration.ofSeconds(30);
        }
        ObjectNode patch = client.json().createObjectNode();
        patch.putObject("metadata").put("resourceVersion", node.getMetadata().getResourceVersion());
        ObjectNode spec = patch.putObject("spec");
        spec.put("podCIDR", cidr.get());
        spec.putArray("podCIDRs").add(cidr.get());
        try {
            nodes.patch(null, name, PatchType.MERGE, patch);
        } catch (IOException | ApiStatusException | RuntimeException e) {
            allocator.release(cidr.get());
            if (e instanceof ApiStatusException status && status.isNotFound()) {
                return Duration.ZERO;
            }
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "node {0}: pod CIDR {1}", name, cidr.get());
        return Duration.ZERO;
    }
}
