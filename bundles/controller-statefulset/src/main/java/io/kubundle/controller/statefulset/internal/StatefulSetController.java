package io.kubundle.controller.statefulset.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Informers;
import io.kubundle.controller.support.Kinds;
import io.kubundle.controller.support.Owners;
import io.kubundle.controller.support.Pods;
import io.kubundle.controller.support.Revisions;

/**
 * Kubernetes' StatefulSet controller: pods {@code <set>-0..N-1} with stable identities and
 * claims, made and removed in order (or in parallel), updated from the highest ordinal down to the
 * partition, through ControllerRevisions; the status {@code kubectl rollout status} reads.
 * Handlers only queue set keys; one worker reconciles a set at a time from the caches (see
 * {@link StatefulSetPlan}). Pod names are fixed, so a cache that lags behind a create can only
 * cause an {@code AlreadyExists}, never a second pod.
 */
final class StatefulSetController implements ControllerHost.Controller {
    private static final String BY_OWNER = Informers.BY_CONTROLLER;
    private static final int HISTORY_LIMIT = 10;

    private final KubeClient client;
    private final int workers;
    private final Informer<StatefulSet> sets;
    private final Informer<Pod> pods;
    private final Informer<PersistentVolumeClaim> claims;
    private final Informer<ControllerRevision> revisions;
    private final WorkQueue<String> queue = new WorkQueue<>("statefulset");
    private final ControllerLoop loop;
    private final EventRecorder events;

    StatefulSetController(KubeClient client, int workers) {
        this.client = client;
        this.workers = workers;
        this.sets = new Informer<>(client.resources(Kinds.STATEFUL_SETS), Duration.ofMinutes(10));
        this.pods = new Informer<>(client.resources(Kinds.PODS), Duration.ZERO);
        this.claims = new Informer<>(client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS), Duration.ZERO);
        this.revisions = new Informer<>(client.resources(Kinds.CONTROLLER_REVISIONS), Duration.ZERO);
        this.events = new EventRecorder(client, "statefulset-controller");
        this.loop = new ControllerLoop("statefulset", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws Exception {
        pods.addIndex(BY_OWNER, Informers::controllerUid);
        revisions.addIndex(BY_OWNER, Informers::controllerUid);
        sets.addHandler(Informers.queueKey(queue));
        pods.addHandler(Informers.queueController(queue, "StatefulSet"));
        Informers.startAndSync("statefulset", Duration.ofSeconds(30), revisions, claims, pods, sets);
        loop.start(workers);
    }

    @Override
    public void close() {
        loop.close();
        for (Informer<?> informer : List.of(sets, pods, claims, revisions)) {
            informer.close();
        }
    }

    private Duration reconcile(String key) throws Exception {
        StatefulSet set = sets.get(key).orElse(null);
        if (set == null || set.getMetadata().getDeletionTimestamp() != null) {
            return Duration.ZERO;
        }
        String name = set.getMetadata().getName();
        int collisions = set.getStatus() == null || set.getStatus().getCollisionCount() == null ? 0 : set.getStatus().getCollisionCount();
        String hash = Revisions.hash(client.json(), set.getSpec().getTemplate(), collisions);
        List<ControllerRevision> owned = revisions.byIndex(BY_OWNER, set.getMetadata().getUid());
        String updateRevision = Revisions.ensure(client.resources(Kinds.CONTROLLER_REVISIONS), client.json(), set,
                set.getSpec().getTemplate().getMetadata() == null ? null : set.getSpec().getTemplate().getMetadata().getLabels(),
                set.getSpec().getTemplate(), hash, owned).getMetadata().getName();
        String currentRevision = set.getStatus() == null || set.getStatus().getCurrentRevision() == null
                || set.getStatus().getCurrentRevision().isEmpty() ? updateRevision : set.getStatus().getCurrentRevision();

        Duration minReady = minReady(set);
        Instant now = Instant.now();
        Map<Integer, Pod> byOrdinal = new HashMap<>();
        Map<Integer, StatefulSetPlan.PodState> states = new HashMap<>();
        for (Pod pod : pods.byIndex(BY_OWNER, set.getMetadata().getUid())) {
            int ordinal = StatefulPods.ordinal(name, pod.getMetadata().getName());
            if (ordinal < 0) {
                continue;
            }
            byOrdinal.put(ordinal, pod);
            boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            boolean running = "Running".equals(phase);
            states.put(ordinal, new StatefulSetPlan.PodState(ordinal, revisionOf(pod), terminating, running && Pods.isReady(pod),
                    running && Pods.isAvailable(pod, minReady, now), !terminating && !Pods.isActive(pod)));
        }
        var strategy = set.getSpec().getUpdateStrategy();
        Integer partition = strategy != null && "OnDelete".equals(strategy.getType()) ? null
                : strategy == null || strategy.getRollingUpdate() == null || strategy.getRollingUpdate().getPartition() == null ? 0
                        : strategy.getRollingUpdate().getPartition();
        int replicas = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
        StatefulSetPlan.Spec spec = new StatefulSetPlan.Spec(replicas, partition, "Parallel".equals(set.getSpec().getPodManagementPolicy()),
                currentRevision, updateRevision);
        for (StatefulSetPlan.Action action : StatefulSetPlan.next(spec, states)) {
            if (action instanceof StatefulSetPlan.Create create) {
                createPod(set, create, updateRevision);
            } else if (action instanceof StatefulSetPlan.Delete delete) {
                deletePod(set, byOrdinal.get(delete.ordinal()), delete.ordinal() >= replicas);
            }
        }

        Set<String> inUse = new HashSet<>(List.of(currentRevision, updateRevision));
        byOrdinal.values().forEach(pod -> inUse.add(String.valueOf(revisionOf(pod))));
        Revisions.truncate(client.resources(Kinds.CONTROLLER_REVISIONS), owned, inUse,
                set.getSpec().getRevisionHistoryLimit() == null ? HISTORY_LIMIT : set.getSpec().getRevisionHistoryLimit());
        return updateStatus(set, byOrdinal.values(), partition != null, currentRevision, updateRevision, collisions);
    }

    private static String revisionOf(Pod pod) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(Revisions.HASH_LABEL);
    }

    private void createPod(StatefulSet set, StatefulSetPlan.Create create, String updateRevision) throws Exception {
        PodTemplateSpec template = set.getSpec().getTemplate();
        if (!create.revision().equals(updateRevision)) {
            Optional<PodTemplateSpec> older = revisions.get(set.getMetadata().getNamespace(), create.revision())
                    .map(revision -> Revisions.template(client.json(), revision));
            template = older.orElse(template);
        }
        for (PersistentVolumeClaim claimTemplate : StatefulPods.claimTemplates(set)) {
            PersistentVolumeClaim claim = StatefulPods.newClaim(set, claimTemplate, create.ordinal());
            if (claims.get(set.getMetadata().getNamespace(), claim.getMetadata().getName()).isEmpty()) {
                try {
                    client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS).create(claim);
                    events.normal(set, "SuccessfulCreate", "create Claim " + claim.getMetadata().getName() + " Pod "
                            + StatefulPods.podName(set.getMetadata().getName(), create.ordinal()) + " in StatefulSet "
                            + set.getMetadata().getName() + " success");
                } catch (ApiStatusException e) {
                    if (!e.isAlreadyExists()) {
                        throw e;
                    }
                }
            }
        }
        Pod pod = StatefulPods.newPod(set, template, create.revision(), create.ordinal());
        try {
            client.resources(Kinds.PODS).create(pod);
            events.normal(set, "SuccessfulCreate", "create Pod " + pod.getMetadata().getName() + " in StatefulSet "
                    + set.getMetadata().getName() + " successful");
        } catch (ApiStatusException e) {
            if (!e.isAlreadyExists()) {
                events.warning(set, "FailedCreate", "create Pod " + pod.getMetadata().getName() + " in StatefulSet "
                        + set.getMetadata().getName() + " failed error: " + e.getMessage());
                throw e;
            }
            // the cache has not seen our earlier create yet: the name is the guard
        }
    }

    private void deletePod(StatefulSet set, Pod pod, boolean condemned) throws Exception {
        if (condemned && StatefulPods.deletesWith(set, "whenScaled")) {
            int ordinal = StatefulPods.ordinal(set.getMetadata().getName(), pod.getMetadata().getName());
            for (PersistentVolumeClaim template : StatefulPods.claimTemplates(set)) {
                ownClaimByPod(set, StatefulPods.claimName(template.getMetadata().getName(), set.getMetadata().getName(), ordinal), pod);
            }
        }
        try {
            client.resources(Kinds.PODS).delete(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    DeleteOptions.DEFAULT.withPreconditionUid(pod.getMetadata().getUid()));
            events.normal(set, "SuccessfulDelete", "delete Pod " + pod.getMetadata().getName() + " in StatefulSet "
                    + set.getMetadata().getName() + " successful");
        } catch (ApiStatusException e) {
            if (!e.isNotFound() && !e.isConflict()) {
                throw e;
            }
        }
    }

    /** whenScaled: Delete: the claim of a pod scaled away gets the pod as owner, so the collector removes it after the pod. */
    private void ownClaimByPod(StatefulSet set, String claimName, Pod pod) throws Exception {
        Optional<PersistentVolumeClaim> claim = claims.get(set.getMetadata().getNamespace(), claimName);
        if (claim.isEmpty() || Owners.controllerOf(claim.get()).isPresent() && !Owners.isControlledBy(claim.get(), set.getMetadata().getUid())) {
            return;
        }
        List<OwnerReference> refs = new ArrayList<>(claim.get().getMetadata().getOwnerReferences() == null ? List.of()
                : claim.get().getMetadata().getOwnerReferences());
        if (refs.stream().anyMatch(ref -> pod.getMetadata().getUid().equals(ref.getUid()))) {
            return;
        }
        refs.add(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).build());
        client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS)
                .update(new PersistentVolumeClaimBuilder(claim.get()).editMetadata().withOwnerReferences(refs).endMetadata().build());
    }

    private static Duration minReady(StatefulSet set) {
        return Duration.ofSeconds(set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds());
    }

    private Duration updateStatus(StatefulSet set, java.util.Collection<Pod> all, boolean rolling, String currentRevision,
            String updateRevision, int collisions) throws Exception {
        Duration minReady = minReady(set);
        Instant now = Instant.now();
        int replicas = 0;
        int ready = 0;
        int available = 0;
        int current = 0;
        int updated = 0;
        for (Pod pod : all) {
            if (!Pods.isActive(pod)) {
                continue;
            }
            replicas++;
            ready += Pods.isReady(pod) ? 1 : 0;
            available += Pods.isAvailable(pod, minReady, now) ? 1 : 0;
            current += currentRevision.equals(revisionOf(pod)) ? 1 : 0;
            updated += updateRevision.equals(revisionOf(pod)) ? 1 : 0;
        }
        String nextCurrent = currentRevision;
        if (rolling && updated == replicas && ready == replicas) {
            // the rolling update is complete: the update revision becomes the current one
            nextCurrent = updateRevision;
            current = updated;
        }
        StatefulSetStatus old = set.getStatus() == null ? new StatefulSetStatus() : set.getStatus();
        StatefulSetStatus next = new StatefulSetStatusBuilder(old).withReplicas(replicas).withReadyReplicas(ready)
                .withAvailableReplicas(available).withCurrentReplicas(current).withUpdatedReplicas(updated)
                .withCurrentRevision(nextCurrent).withUpdateRevision(updateRevision).withCollisionCount(collisions)
                .withObservedGeneration(set.getMetadata().getGeneration()).build();
        if (!next.equals(old)) {
            client.resources(Kinds.STATEFUL_SETS).updateStatus(new StatefulSetBuilder(set).withStatus(next).build());
        }
        return ready > available ? Duration.ofSeconds(1) : Duration.ZERO;
    }
}
