package io.kubundle.controller.nodelifecycle.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Kinds;

/**
 * Kubernetes' node lifecycle controller with its taint manager.
 *
 * <p>Node keys ({@code node:NAME}): a node whose kubelet has not been heard of (Lease renewals in
 * {@code kube-node-lease}, Ready heartbeats) for the grace period has its conditions set Unknown;
 * a node carries the {@code unreachable} (Ready Unknown) or {@code not-ready} (Ready False) taints,
 * NoExecute and NoSchedule, and loses them when Ready again; the pods of an unreachable node are
 * marked not ready.
 *
 * <p>Pod keys ({@code pod:NAMESPACE/NAME}): a pod on a node with NoExecute taints it does not
 * tolerate is deleted, at once or when its {@code tolerationSeconds} (counted from the taint's
 * {@code timeAdded}) run out, with a {@code TaintManagerEviction} event. Deadlines come from the
 * objects, not from memory, so a new instance after a swap evicts on time and never twice (a pod
 * being deleted is left alone).
 */
final class NodeLifecycleController implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(NodeLifecycleController.class.getName());
    private static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
    private static final String BY_NODE = "spec.nodeName";
    private static final String NODE = "node:";
    private static final String POD = "pod:";

    private final KubeClient client;
    private final ResourceClient<Node> nodes;
    private final ResourceClient<Pod> pods;
    private final Duration grace;
    private final int workers;
    private final Clock clock;
    private final EventRecorder events;
    private final Heartbeats heartbeats = new Heartbeats();
    /** When a NoExecute taint without {@code timeAdded} (added by hand) was first seen: {@code node/key/effect}. */
    private final Map<String, Instant> untimedTaints = new ConcurrentHashMap<>();
    private final WorkQueue<String> queue = new WorkQueue<>("node-lifecycle");
    private final Informer<Node> nodeInformer;
    private final Informer<Lease> leaseInformer;
    private final Informer<Pod> podInformer;
    private final ControllerLoop loop;

    NodeLifecycleController(KubeClient client, Duration grace, int workers, Clock clock) {
        this.client = client;
        this.nodes = client.resources(Kinds.NODES);
        this.pods = client.resources(Kinds.PODS);
        this.grace = grace;
        this.workers = workers;
        this.clock = clock;
        this.events = new EventRecorder(client, "node-controller");
        this.nodeInformer = new Informer<>(nodes, Duration.ZERO);
        this.leaseInformer = new Informer<>(client.resources(Kinds.LEASES), NODE_LEASE_NAMESPACE, ListOptions.ALL, Duration.ZERO);
        this.podInformer = new Informer<>(pods, Duration.ZERO);
        this.loop = new ControllerLoop("node-lifecycle", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws InterruptedException, IOException {
        podInformer.addIndex(BY_NODE, pod -> pod.getSpec() == null || pod.getSpec().getNodeName() == null ? List.of()
                : List.of(pod.getSpec().getNodeName()));
        nodeInformer.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Node node) {
                nodeChanged(node, true);
            }

            @Override
            public void onUpdate(Node oldNode, Node newNode) {
                boolean taintsChanged = !NodeHealth.noExecute(oldNode.getSpec().getTaints())
                        .equals(NodeHealth.noExecute(newNode.getSpec().getTaints()));
                boolean readyChanged = !NodeHealth.readyStatus(conditions(oldNode)).equals(NodeHealth.readyStatus(conditions(newNode)));
                nodeChanged(newNode, taintsChanged || readyChanged);
            }

            @Override
            public void onDelete(Node node) {
                heartbeats.forget(node.getMetadata().getName());
                untimedTaints.keySet().removeIf(key -> key.startsWith(node.getMetadata().getName() + "/"));
            }
        });
        leaseInformer.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Lease lease) {
                leaseChanged(lease);
            }

            @Override
            public void onUpdate(Lease oldLease, Lease newLease) {
                leaseChanged(newLease);
            }
        });
        podInformer.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                podChanged(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                podChanged(newPod);
            }
        });
        podInformer.start();
        leaseInformer.start();
        nodeInformer.start();
        Duration timeout = Duration.ofSeconds(60);
        if (!podInformer.awaitSynced(timeout) || !leaseInformer.awaitSynced(timeout) || !nodeInformer.awaitSynced(timeout)) {
            throw new IOException("node lifecycle: nodes, leases and pods did not list within " + timeout);
        }
        loop.start(workers);
        LOG.log(System.Logger.Level.INFO, "node lifecycle controller running, grace period {0}", grace);
    }

    @Override
    public void close() {
        loop.close();
        nodeInformer.close();
        leaseInformer.close();
        podInformer.close();
    }

    private void nodeChanged(Node node, boolean podsToo) {
        String name = node.getMetadata().getName();
        NodeHealth.ready(conditions(node)).ifPresent(ready -> heartbeats.status(name, ready.getLastHeartbeatTime(), clock.instant()));
        queue.add(NODE + name);
        if (podsToo) {
            podInformer.byIndex(BY_NODE, name).forEach(this::podChanged);
        }
    }

    private void leaseChanged(Lease lease) {
        String renewTime = lease.getSpec() == null || lease.getSpec().getRenewTime() == null ? null
                : lease.getSpec().getRenewTime().toString();
        heartbeats.lease(lease.getMetadata().getName(), renewTime, clock.instant());
        queue.add(NODE + lease.getMetadata().getName());
    }

    private void podChanged(Pod pod) {
        if (pod.getSpec() != null && pod.getSpec().getNodeName() != null && pod.getMetadata().getDeletionTimestamp() == null) {
            queue.add(POD + ObjectKey.of(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
        }
    }

    private static List<io.fabric8.kubernetes.api.model.NodeCondition> conditions(Node node) {
        return node.getStatus() == null ? null : node.getStatus().getConditions();
    }

    private Duration reconcile(String key) throws Exception {
        if (key.startsWith(NODE)) {
            return reconcileNode(key.substring(NODE.length()));
        }
        return reconcilePod(key.substring(POD.length()));
    }

    // ---- nodes ----

    private Duration reconcileNode(String name) throws Exception {
        Node node = nodeInformer.get(name).orElse(null);
        if (node == null) {
            return Duration.ZERO;
        }
        Instant now = clock.instant();
        String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
        Instant last = heartbeats.last(name).orElse(now);
        Duration again = Duration.ZERO;
        if (NodeHealth.stale(last, now, grace)) {
            Optional<List<io.fabric8.kubernetes.api.model.NodeCondition>> unknown = NodeHealth.markedUnknown(conditions(node), stamp);
            if (unknown.isPresent()) {
                Node changed = copy(node);
                changed.getStatus().setConditions(unknown.get());
                node = nodes.updateStatus(changed);
                LOG.log(System.Logger.Level.INFO, "node {0}: no heartbeat for {1}: Unknown", name, Duration.between(last, now));
                events.normal(node, "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
            }
        } else if (!"Unknown".equals(NodeHealth.readyStatus(conditions(node)))) {
            // look again when the grace period would run out
            again = Duration.between(now, last.plus(grace)).plusMillis(100);
        }
        String ready = NodeHealth.readyStatus(conditions(node));
        Optional<List<Taint>> taints = NodeHealth.desiredTaints(node.getSpec().getTaints(), ready, stamp);
        if (taints.isPresent()) {
            Node changed = copy(node);
            changed.getSpec().setTaints(taints.get().isEmpty() ? null : taints.get());
            nodes.update(changed);
            if ("True".equals(ready)) {
                events.normal(node, "NodeReady", "Node " + name + " status is now: NodeReady");
            }
        }
        if ("Unknown".equals(ready)) {
            markPodsNotReady(name);
        }
        return again;
    }

    /** As Kubernetes' {@code MarkPodsNotReady}: the pods of a node nobody hears from are not ready. */
    private void markPodsNotReady(String nodeName) throws IOException, ApiStatusException {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        for (Pod pod : podInformer.byIndex(BY_NODE, nodeName)) {
            if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
                continue;
            }
            List<PodCondition> conditions = new ArrayList<>();
            boolean changed = false;
            for (PodCondition condition : pod.getStatus().getConditions()) {
                if ("Ready".equals(condition.getType()) && !"False".equals(condition.getStatus())) {
                    conditions.add(new PodConditionBuilder(condition).withStatus("False").withReason("NodeNotReady")
                            .withMessage("Node " + nodeName + " is not ready").withLastTransitionTime(now).build());
                    changed = true;
                } else {
                    conditions.add(condition);
                }
            }
            if (changed) {
                Pod marked = copy(pod);
                marked.getStatus().setConditions(conditions);
                try {
                    pods.updateStatus(marked);
                    events.warning(pod, "NodeNotReady", "Node is not ready");
                } catch (ApiStatusException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                }
            }
        }
    }

    // ---- pods: the taint manager ----

    private Duration reconcilePod(String key) throws Exception {
        Pod pod = podInformer.get(key).orElse(null);
        if (pod == null || pod.getMetadata().getDeletionTimestamp() != null || pod.getSpec().getNodeName() == null) {
            return Duration.ZERO;
        }
        Node node = nodeInformer.get(pod.getSpec().getNodeName()).orElse(null);
        if (node == null) {
            return Duration.ZERO;
        }
        List<Taint> noExecute = NodeHealth.noExecute(node.getSpec().getTaints());
        Instant now = clock.instant();
        Instant since = taintedSince(node.getMetadata().getName(), noExecute, now);
        List<io.fabric8.kubernetes.api.model.Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of()
                : pod.getSpec().getTolerations();
        Optional<Instant> evictAt = Tolerations.evictionTime(noExecute, tolerations, since);
        if (evictAt.isEmpty()) {
            return Duration.ZERO;
        }
        if (evictAt.get().isAfter(now)) {
            return Duration.between(now, evictAt.get()).plusMillis(50);
        }
        evict(pod, node);
        return Duration.ZERO;
    }

    /** The latest {@code timeAdded} of the taints (first sight for a taint without one). */
    private Instant taintedSince(String nodeName, List<Taint> noExecute, Instant now) {
        Instant latest = Instant.EPOCH;
        for (Taint taint : noExecute) {
            Instant added = taint.getTimeAdded() != null ? Instant.parse(taint.getTimeAdded())
                    : untimedTaints.computeIfAbsent(nodeName + "/" + taint.getKey() + "/" + taint.getEffect(), k -> now);
            latest = added.isAfter(latest) ? added : latest;
        }
        return latest;
    }

    private void evict(Pod pod, Node node) throws IOException, ApiStatusException {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if ("Unknown".equals(NodeHealth.readyStatus(conditions(node)))) {
            // as Kubernetes did: a pod evicted from a lost node shows as Unknown while it terminates
            Pod lost = copy(pod);
            lost.getStatus().setReason("NodeLost");
            lost.getStatus().setMessage("Node " + node.getMetadata().getName() + " which was running pod " + name + " is unresponsive");
            try {
                pods.updateStatus(lost);
            } catch (ApiStatusException e) {
                if (e.isNotFound()) {
                    return;
                }
                throw e;
            }
        }
        events.normal(pod, "TaintManagerEviction", "Marking for deletion Pod " + namespace + "/" + name);
        try {
            pods.delete(namespace, name, DeleteOptions.DEFAULT.withPreconditionUid(pod.getMetadata().getUid()));
            LOG.log(System.Logger.Level.INFO, "evicted pod {0}/{1} from tainted node {2}", namespace, name, node.getMetadata().getName());
        } catch (ApiStatusException e) {
            if (!e.isNotFound() && !e.isConflict()) {
                throw e;
            }
        }
    }

    private <T> T copy(T object) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) object.getClass();
        return client.json().convertValue(object, type);
    }
}
