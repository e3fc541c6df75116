package io.kubundle.controller.daemonset.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Informers;
import io.kubundle.controller.support.Kinds;
import io.kubundle.controller.support.Names;
import io.kubundle.controller.support.Owners;
import io.kubundle.controller.support.Pods;
import io.kubundle.controller.support.Revisions;

/**
 * Kubernetes' DaemonSet controller: one pod on every node the set's template fits (see
 * {@link NodeEligibility}), none elsewhere; RollingUpdate (maxUnavailable, no surge) and OnDelete
 * updates through ControllerRevisions; the status {@code kubectl rollout status} reads. Handlers
 * only queue set keys ({@code namespace/name}); a worker reconciles one set at a time from the
 * informers' caches, with {@link Expectations} guarding against a cache that has not caught up
 * with its own writes.
 */
final class DaemonSetController implements ControllerHost.Controller {
    private static final String BY_OWNER = Informers.BY_CONTROLLER;
    private static final int HISTORY_LIMIT = 10;

    private final KubeClient client;
    private final int workers;
    private final Informer<DaemonSet> sets;
    private final Informer<Pod> pods;
    private final Informer<Node> nodes;
    private final Informer<ControllerRevision> revisions;
    private final WorkQueue<String> queue = new WorkQueue<>("daemonset");
    private final ControllerLoop loop;
    private final Expectations expectations = new Expectations();
    private final EventRecorder events;

    DaemonSetController(KubeClient client, int workers) {
        this.client = client;
        this.workers = workers;
        this.sets = new Informer<>(client.resources(Kinds.DAEMON_SETS), Duration.ofMinutes(10));
        this.pods = new Informer<>(client.resources(Kinds.PODS), Duration.ZERO);
        this.nodes = new Informer<>(client.resources(Kinds.NODES), Duration.ZERO);
        this.revisions = new Informer<>(client.resources(Kinds.CONTROLLER_REVISIONS), Duration.ZERO);
        this.events = new EventRecorder(client, "daemonset-controller");
        this.loop = new ControllerLoop("daemonset", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws Exception {
        pods.addIndex(BY_OWNER, Informers::controllerUid);
        revisions.addIndex(BY_OWNER, Informers::controllerUid);
        sets.addHandler(Informers.queueKey(queue));
        sets.addHandler(new ResourceHandler<>() {
            @Override
            public void onDelete(DaemonSet set) {
                expectations.forget(Informers.key(set));
            }
        });
        pods.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                ownerKey(pod).ifPresent(set -> {
                    expectations.observedCreation(set, pod.getMetadata().getName());
                    if (pod.getMetadata().getDeletionTimestamp() != null) {
                        expectations.observedDeletion(set, pod.getMetadata().getName());
                    }
                    queue.add(set);
                });
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                ownerKey(newPod).ifPresent(set -> {
                    if (newPod.getMetadata().getDeletionTimestamp() != null) {
                        expectations.observedDeletion(set, newPod.getMetadata().getName());
                    }
                    queue.add(set);
                });
            }

            @Override
            public void onDelete(Pod pod) {
                ownerKey(pod).ifPresent(set -> {
                    expectations.observedDeletion(set, pod.getMetadata().getName());
                    queue.add(set);
                });
            }
        });
        nodes.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Node node) {
                queueAllSets();
            }

            @Override
            public void onUpdate(Node oldNode, Node newNode) {
                if (!Objects.equals(oldNode.getMetadata().getLabels(), newNode.getMetadata().getLabels())
                        || !Objects.equals(oldNode.getSpec(), newNode.getSpec())) {
                    queueAllSets();
                }
            }

            @Override
            public void onDelete(Node node) {
                queueAllSets();
            }
        });
        Informers.startAndSync("daemonset", Duration.ofSeconds(30), revisions, nodes, pods, sets);
        loop.start(workers);
    }

    @Override
    public void close() {
        loop.close();
        for (Informer<?> informer : List.of(sets, pods, nodes, revisions)) {
            informer.close();
        }
    }

    private void queueAllSets() {
        for (DaemonSet set : sets.list()) {
            queue.add(key(set));
        }
    }

    private static String key(DaemonSet set) {
        return Informers.key(set);
    }

    private static java.util.Optional<String> ownerKey(Pod pod) {
        return Owners.controllerOf(pod).filter(ref -> "DaemonSet".equals(ref.getKind()))
                .map(ref -> ObjectKey.of(pod.getMetadata().getNamespace(), ref.getName()));
    }

    private Duration reconcile(String key) throws Exception {
        DaemonSet set = sets.get(key).orElse(null);
        if (set == null || set.getMetadata().getDeletionTimestamp() != null) {
            return Duration.ZERO;
        }
        String uid = set.getMetadata().getUid();
        String hash = Revisions.hash(client.json(), set.getSpec().getTemplate(), collisions(set));
        List<ControllerRevision> owned = revisions.byIndex(BY_OWNER, uid);
        Revisions.ensure(client.resources(Kinds.CONTROLLER_REVISIONS), client.json(), set,
                set.getSpec().getTemplate().getMetadata() == null ? null : set.getSpec().getTemplate().getMetadata().getLabels(),
                set.getSpec().getTemplate(), hash, owned);

        List<Pod> mine = pods.byIndex(BY_OWNER, uid);
        Map<String, List<Pod>> byNode = new HashMap<>();
        for (Pod pod : mine) {
            byNode.computeIfAbsent(String.valueOf(DaemonPods.nodeOf(pod)), n -> new ArrayList<>()).add(pod);
        }
        List<DaemonSetPlan.NodeState> states = new ArrayList<>();
        for (Node node : nodes.list()) {
            String name = node.getMetadata().getName();
            states.add(new DaemonSetPlan.NodeState(name, NodeEligibility.of(node, set.getSpec().getTemplate().getSpec()),
                    byNode.getOrDefault(name, List.of())));
            byNode.remove(name);
        }
        List<Pod> orphans = byNode.values().stream().flatMap(List::stream).toList();
        Duration minReady = Duration.ofSeconds(set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds());
        Instant now = Instant.now();

        if (expectations.satisfied(key)) {
            boolean rolling = set.getSpec().getUpdateStrategy() == null || !"OnDelete".equals(set.getSpec().getUpdateStrategy().getType());
            int desired = (int) states.stream().filter(s -> s.verdict().shouldRun()).count();
            int maxUnavailable = DaemonPods.maxUnavailable(set.getSpec().getUpdateStrategy() == null
                    || set.getSpec().getUpdateStrategy().getRollingUpdate() == null ? null
                            : set.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable(), desired);
            DaemonSetPlan.Plan plan = DaemonSetPlan.plan(states, orphans, hash, rolling, maxUnavailable, minReady, now);
            carryOut(key, set, hash, plan);
        }
        Set<String> inUse = new HashSet<>();
        mine.forEach(pod -> inUse.add(Revisions.name(set, String.valueOf(DaemonSetPlan.labelOf(pod)))));
        inUse.add(Revisions.name(set, hash));
        Revisions.truncate(client.resources(Kinds.CONTROLLER_REVISIONS), owned,  inUse,
                set.getSpec().getRevisionHistoryLimit() == null ? HISTORY_LIMIT : set.getSpec().getRevisionHistoryLimit());
        DaemonSetPlan.Counts counts = DaemonSetPlan.count(states, hash, minReady, now);
        updateStatus(set, counts);
        // a pod ready but not yet available for minReadySeconds becomes so without an event
        return counts.ready() > counts.available() ? Duration.ofSeconds(1) : Duration.ZERO;
    }

    private static int collisions(DaemonSet set) {
        return set.getStatus() == null || set.getStatus().getCollisionCount() == null ? 0 : set.getStatus().getCollisionCount();
    }

    private void carryOut(String key, DaemonSet set, String hash, DaemonSetPlan.Plan plan) throws Exception {
        Exception failure = null;
        for (String node : plan.createOn()) {
            Pod pod = DaemonPods.forNode(set, set.getSpec().getTemplate(), hash, node);
            String name = Names.child(set.getMetadata().getName(), Names.randomSuffix());
            pod.getMetadata().setGenerateName(null);
            pod.getMetadata().setName(name);
            expectations.expectCreation(key, name);
            try {
                client.resources(Kinds.PODS).create(pod);
                events.normal(set, "SuccessfulCreate", "Created pod: " + name);
            } catch (Exception e) {
                expectations.observedCreation(key, name);
                events.warning(set, "FailedCreate", "Error creating: " + e.getMessage());
                failure = e;
            }
        }
        for (Pod pod : plan.delete()) {
            String name = pod.getMetadata().getName();
            expectations.expectDeletion(key, name);
            try {
                client.resources(Kinds.PODS).delete(pod.getMetadata().getNamespace(), name,
                        DeleteOptions.DEFAULT.withPreconditionUid(pod.getMetadata().getUid()));
                events.normal(set, "SuccessfulDelete", "Deleted pod: " + name);
            } catch (ApiStatusException e) {
                expectations.observedDeletion(key, name);
                if (!e.isNotFound() && !e.isConflict()) {
                    failure = e;
                }
            } catch (Exception e) {
                expectations.observedDeletion(key, name);
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void updateStatus(DaemonSet set, DaemonSetPlan.Counts counts) throws Exception {
        DaemonSetStatus old = set.getStatus() == null ? new DaemonSetStatus() : set.getStatus();
        DaemonSetStatus next = new DaemonSetStatusBuilder(old).withDesiredNumberScheduled(counts.desired())
                .withCurrentNumberScheduled(counts.current()).withNumberMisscheduled(counts.misscheduled())
                .withNumberReady(counts.ready()).withNumberAvailable(counts.available())
                .withNumberUnavailable(Math.max(0, counts.desired() - counts.available()))
                .withUpdatedNumberScheduled(counts.updated()).withObservedGeneration(set.getMetadata().getGeneration()).build();
        if (next.equals(old)) {
            return;
        }
        DaemonSet copy = new DaemonSetBuilder(set).withStatus(next).build();
        client.resources(Kinds.DAEMON_SETS).updateStatus(copy);
    }

    /** Pods that are the set's (for tests). */
    List<Pod> podsOf(DaemonSet set) {
        return pods.byIndex(BY_OWNER, set.getMetadata().getUid()).stream().filter(Pods::isActive).toList();
    }
}
