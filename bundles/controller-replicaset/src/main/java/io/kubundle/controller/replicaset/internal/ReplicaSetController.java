package io.kubundle.controller.replicaset.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Kinds;
import io.kubundle.controller.support.Names;
import io.kubundle.controller.support.Owners;
import io.kubundle.controller.support.Pods;
import io.kubundle.controller.support.Selectors;

/**
 * Kubernetes' ReplicaSet controller. Handlers only enqueue ReplicaSet keys ({@code ns/name}); a
 * worker owns a key at a time and, reading the informer caches: claims the active pods (adopting
 * matching orphans, releasing owned pods that stopped matching), creates or deletes pods to reach
 * {@code spec.replicas} (only when the cache has caught up with its previous writes: {@link
 * Expectations}), and writes the status.
 */
final class ReplicaSetController implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(ReplicaSetController.class.getName());
    private static final String CONTROLLER_INDEX = "controller";

    private final KubeClient client;
    private final ResourceClient<ReplicaSet> setClient;
    private final ResourceClient<Pod> podClient;
    private final EventRecorder events;
    private final Informer<ReplicaSet> sets;
    private final Informer<Pod> pods;
    private final WorkQueue<String> queue = new WorkQueue<>("replicaset");
    private final Expectations expectations = new Expectations();
    private final ControllerLoop loop;
    private final ExecutorService calls;
    private final int workers;
    private final int burstReplicas;

    ReplicaSetController(KubeClient client, int workers, int burstReplicas) {
        this.client = client;
        this.workers = workers;
        this.burstReplicas = burstReplicas;
        this.setClient = client.resources(Kinds.REPLICA_SETS);
        this.podClient = client.resources(Kinds.PODS);
        this.events = new EventRecorder(client, "replicaset-controller");
        this.sets = new Informer<>(setClient, Duration.ofSeconds(30));
        this.pods = new Informer<>(podClient, Duration.ZERO);
        this.loop = new ControllerLoop("replicaset", queue, this::reconcile, 15);
        this.calls = Executors.newFixedThreadPool(8, runnable -> {
            Thread thread = new Thread(runnable, "replicaset-calls");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void start() throws Exception {
        pods.addIndex(CONTROLLER_INDEX, pod -> Owners.controllerOf(pod).map(ref -> List.of(ref.getUid())).orElse(List.of()));
        sets.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(ReplicaSet set) {
                queue.add(key(set));
            }

            @Override
            public void onUpdate(ReplicaSet oldSet, ReplicaSet newSet) {
                queue.add(key(newSet));
            }

            @Override
            public void onDelete(ReplicaSet set) {
                queue.add(key(set));
            }
        });
        pods.addHandler(new PodHandler());
        sets.start();
        pods.start();
        if (!sets.awaitSynced(Duration.ofSeconds(60)) || !pods.awaitSynced(Duration.ofSeconds(60))) {
            throw new IllegalStateException("the informers did not sync");
        }
        loop.start(workers);
    }

    @Override
    public void close() {
        loop.close();
        sets.close();
        pods.close();
        calls.shutdownNow();
    }

    private static String key(ReplicaSet set) {
        return ObjectKey.of(set.getMetadata().getNamespace(), set.getMetadata().getName());
    }

    private static String key(Pod pod) {
        return ObjectKey.of(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    }

    /** The key of the ReplicaSet a controller reference names, if the cache has that very one. */
    private Optional<String> ownerKey(Pod pod, OwnerReference ref) {
        if (!"ReplicaSet".equals(ref.getKind())) {
            return Optional.empty();
        }
        return sets.get(pod.getMetadata().getNamespace(), ref.getName()).filter(set -> ref.getUid().equals(set.getMetadata().getUid()))
                .map(ReplicaSetController::key);
    }

    /** Pod changes: expectations observed, and the owning (or, for orphans, every matching) ReplicaSet queued. */
    private final class PodHandler implements ResourceHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                onDelete(pod);
                return;
            }
            Optional<OwnerReference> ref = Owners.controllerOf(pod);
            if (ref.isPresent()) {
                ownerKey(pod, ref.get()).ifPresent(owner -> {
                    expectations.creationObserved(owner);
                    queue.add(owner);
                });
            } else {
                queueMatching(pod);
            }
        }

        @Override
        public void onUpdate(Pod oldPod, Pod newPod) {
            if (Objects.equals(oldPod.getMetadata().getResourceVersion(), newPod.getMetadata().getResourceVersion())) {
                return;
            }
            Optional<OwnerReference> oldRef = Owners.controllerOf(oldPod);
            Optional<OwnerReference> newRef = Owners.controllerOf(newPod);
            if (newPod.getMetadata().getDeletionTimestamp() != null) {
                // a pod marked for deletion counts as deleted: the controller's replacements need not wait for its grace period
                newRef.flatMap(ref -> ownerKey(newPod, ref)).ifPresent(owner -> expectations.deletionObserved(owner, key(newPod)));
            }
            if (oldRef.isPresent() && !oldRef.equals(newRef)) {
                ownerKey(oldPod, oldRef.get()).ifPresent(queue::add);
            }
            if (newRef.isPresent()) {
                ownerKey(newPod, newRef.get()).ifPresent(queue::add);
            } else {
                queueMatching(newPod);
            }
        }

        @Override
        public void onDelete(Pod pod) {
            Owners.controllerOf(pod).flatMap(ref -> ownerKey(pod, ref)).ifPresent(owner -> {
                expectations.deletionObserved(owner, key(pod));
                queue.add(owner);
            });
        }

        private void queueMatching(Pod pod) {
            for (ReplicaSet set : sets.list(pod.getMetadata().getNamespace())) {
                if (Selectors.matches(set.getSpec().getSelector(), pod.getMetadata().getLabels())) {
                    queue.add(key(set));
                }
            }
        }
    }

    Duration reconcile(String key) throws Exception {
        Optional<ReplicaSet> cached = sets.get(key);
        if (cached.isEmpty()) {
            expectations.forget(key);
            return Duration.ZERO;
        }
        ReplicaSet set = cached.get();
        boolean needsSync = expectations.satisfied(key);
        List<Pod> claimed = claim(set);
        Exception failure = null;
        if (needsSync && set.getMetadata().getDeletionTimestamp() == null) {
            try {
                manage(set, key, claimed);
            } catch (Exception e) {
                failure = e;
            }
        }
        ReplicaSetStatus status = ReplicaSetStatuses.of(set, claimed, Instant.now());
        writeStatus(set, status);
        if (failure != null) {
            throw failure;
        }
        int minReady = set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
        if (minReady > 0 && status.getReadyReplicas() == replicas(set) && status.getAvailableReplicas() != replicas(set)) {
            return Duration.ofSeconds(minReady);
        }
        return Duration.ZERO;
    }

    private static int replicas(ReplicaSet set) {
        return set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
    }

    /**
     * The active pods the ReplicaSet controls after adopting the orphans its selector matches and
     * releasing the pods it controls that no longer match (not while it is being deleted).
     */
    private List<Pod> claim(ReplicaSet set) throws Exception {
        String uid = set.getMetadata().getUid();
        boolean deleting = set.getMetadata().getDeletionTimestamp() != null;
        List<Pod> claimed = new ArrayList<>();
        boolean checkedFresh = false;
        for (Pod pod : pods.list(set.getMetadata().getNamespace())) {
            if (!Pods.isActive(pod)) {
                continue;
            }
            boolean matches = Selectors.matches(set.getSpec().getSelector(), pod.getMetadata().getLabels());
            Optional<OwnerReference> ref = Owners.controllerOf(pod);
            if (ref.isPresent()) {
                if (!uid.equals(ref.get().getUid())) {
                    continue;
                }
                if (matches) {
                    claimed.add(pod);
                } else if (!deleting) {
                    release(set, pod);
                }
            } else if (matches && !deleting) {
                if (!checkedFresh) {
                    // as Kubernetes does: adopt only for a ReplicaSet that is still there and not being deleted
                    ReplicaSet fresh = setClient.find(set.getMetadata().getNamespace(), set.getMetadata().getName()).orElse(null);
                    if (fresh == null || !uid.equals(fresh.getMetadata().getUid()) || fresh.getMetadata().getDeletionTimestamp() != null) {
                        return claimed;
                    }
                    checkedFresh = true;
                }
                adopt(set, pod).ifPresent(claimed::add);
            }
        }
        return claimed;
    }

    private Optional<Pod> adopt(ReplicaSet set, Pod pod) throws Exception {
        Pod copy = copy(pod, Pod.class);
        List<OwnerReference> refs = new ArrayList<>(copy.getMetadata().getOwnerReferences() == null ? List.of()
                : copy.getMetadata().getOwnerReferences());
        refs.add(reference(set));
        copy.getMetadata().setOwnerReferences(refs);
        try {
            return Optional.of(podClient.update(copy));
        } catch (ApiStatusException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void release(ReplicaSet set, Pod pod) throws Exception {
        Pod copy = copy(pod, Pod.class);
        copy.getMetadata().setOwnerReferences(copy.getMetadata().getOwnerReferences().stream()
                .filter(ref -> !set.getMetadata().getUid().equals(ref.getUid())).collect(Collectors.toList()));
        try {
            podClient.update(copy);
        } catch (ApiStatusException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    private static OwnerReference reference(ReplicaSet set) {
        OwnerReference ref = Owners.controllerReference(set);
        ref.setApiVersion("apps/v1");
        ref.setKind("ReplicaSet");
        return ref;
    }

    private <T> T copy(T object, Class<T> type) {
        return client.json().convertValue(object, type);
    }

    /** Creates or deletes pods so that {@code spec.replicas} are active; at most {@code burstReplicas} in one go. */
    private void manage(ReplicaSet set, String key, List<Pod> active) throws Exception {
        int diff = active.size() - replicas(set);
        if (diff < 0) {
            int wanted = Math.min(-diff, burstReplicas);
            expectations.expect(key, wanted, Set.of());
            List<Exception> failures = new ArrayList<>();
            int created = SlowStart.run(wanted, 1, calls, () -> {
                createPod(set);
                return null;
            }, failures);
            for (int i = created; i < wanted; i++) {
                // creations that failed or were not tried never show up in the cache
                expectations.creationObserved(key);
            }
            if (!failures.isEmpty()) {
                events.warning(set, "FailedCreate", "Error creating: " + failures.get(0).getMessage());
                throw failures.get(0);
            }
        } else if (diff > 0) {
            int surplus = Math.min(diff, burstReplicas);
            List<Pod> victims = active.stream().sorted(PodRanking.LEAST_VALUABLE_FIRST).limit(surplus).toList();
            expectations.expect(key, 0, victims.stream().map(ReplicaSetController::key).collect(Collectors.toSet()));
            Map<Pod, Future<?>> deletions = new LinkedHashMap<>();
            for (Pod victim : victims) {
                deletions.put(victim, calls.submit(() -> {
                    podClient.delete(victim.getMetadata().getNamespace(), victim.getMetadata().getName());
                    return null;
                }));
            }
            Exception failure = null;
            for (Map.Entry<Pod, Future<?>> deletion : deletions.entrySet()) {
                Pod victim = deletion.getKey();
                try {
                    deletion.getValue().get();
                    events.normal(set, "SuccessfulDelete", "Deleted pod: " + victim.getMetadata().getName());
                } catch (java.util.concurrent.ExecutionException e) {
                    expectations.deletionObserved(key, key(victim));
                    failure = e.getCause() instanceof Exception cause ? cause : e;
                    events.warning(set, "FailedDelete", "Error deleting: " + failure.getMessage());
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private void createPod(ReplicaSet set) throws Exception {
        PodTemplateSpec template = set.getSpec().getTemplate();
        ObjectMeta meta = new ObjectMeta();
        meta.setName(Names.child(set.getMetadata().getName(), Names.randomSuffix()));
        meta.setNamespace(set.getMetadata().getNamespace());
        ObjectMeta templateMeta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        meta.setLabels(templateMeta.getLabels() == null ? null : new HashMap<>(templateMeta.getLabels()));
        meta.setAnnotations(templateMeta.getAnnotations() == null ? null : new HashMap<>(templateMeta.getAnnotations()));
        meta.setFinalizers(templateMeta.getFinalizers());
        meta.setOwnerReferences(List.of(reference(set)));
        Pod pod = new Pod();
        pod.setMetadata(meta);
        pod.setSpec(copy(template.getSpec(), PodSpec.class));
        Pod created = podClient.create(pod);
        events.normal(set, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
    }

    /** Writes the status if it changed; on a conflict, once more on the object as the server has it. */
    private void writeStatus(ReplicaSet set, ReplicaSetStatus status) throws Exception {
        if (ReplicaSetStatuses.same(set.getStatus(), status)) {
            return;
        }
        ReplicaSet copy = copy(set, ReplicaSet.class);
        status.setConditions(set.getStatus() == null ? null : set.getStatus().getConditions());
        copy.setStatus(status);
        try {
            setClient.updateStatus(copy);
        } catch (ApiStatusException e) {
            if (e.isNotFound()) {
                return;
            }
            if (!e.isConflict()) {
                throw e;
            }
            ReplicaSet fresh = setClient.find(set.getMetadata().getNamespace(), set.getMetadata().getName()).orElse(null);
            if (fresh == null || !fresh.getMetadata().getUid().equals(set.getMetadata().getUid())) {
                return;
            }
            status.setConditions(fresh.getStatus() == null ? null : fresh.getStatus().getConditions());
            fresh.setStatus(status);
            setClient.updateStatus(fresh);
        }
        LOG.log(System.Logger.Level.DEBUG, "replicaset {0}: {1} replicas, {2} ready", set.getMetadata().getName(), status.getReplicas(),
                status.getReadyReplicas());
    }
}
