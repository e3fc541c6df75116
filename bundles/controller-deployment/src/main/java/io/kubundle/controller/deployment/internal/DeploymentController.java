package io.kubundle.controller.deployment.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
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
import io.kubundle.controller.support.Selectors;

/**
 * Kubernetes' deployment controller. Handlers only enqueue Deployment keys ({@code ns/name});
 * a worker owns a key at a time and, from the informer caches, rolls the deployment out through
 * its ReplicaSets ({@code <deployment>-<pod-template-hash>}: the same template always gives the
 * same name, so a lagging cache or a new instance after a swap finds a ReplicaSet instead of
 * creating a second one), keeps revisions and history, and writes the status and conditions.
 */
final class DeploymentController implements ControllerHost.Controller {
    private static final String CONTROLLER_INDEX = "controller";

    private final KubeClient client;
    private final ResourceClient<Deployment> deploymentClient;
    private final ResourceClient<ReplicaSet> setClient;
    private final EventRecorder events;
    private final Informer<Deployment> deployments;
    private final Informer<ReplicaSet> sets;
    private final Informer<Pod> pods;
    private final WorkQueue<String> queue = new WorkQueue<>("deployment");
    private final ControllerLoop loop;
    private final Revisions revisions;
    private final int workers;

    DeploymentController(KubeClient client, int workers) {
        this.client = client;
        this.workers = workers;
        this.deploymentClient = client.resources(Kinds.DEPLOYMENTS);
        this.setClient = client.resources(Kinds.REPLICA_SETS);
        this.events = new EventRecorder(client, "deployment-controller");
        this.deployments = new Informer<>(deploymentClient, Duration.ofSeconds(30));
        this.sets = new Informer<>(setClient, Duration.ZERO);
        this.pods = new Informer<>(client.resources(Kinds.PODS), Duration.ZERO);
        this.revisions = new Revisions(client.json());
        this.loop = new ControllerLoop("deployment", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws Exception {
        pods.addIndex(CONTROLLER_INDEX, pod -> Owners.controllerOf(pod).map(ref -> List.of(ref.getUid())).orElse(List.of()));
        deployments.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Deployment deployment) {
                queue.add(key(deployment.getMetadata()));
            }

            @Override
            public void onUpdate(Deployment oldDeployment, Deployment newDeployment) {
                queue.add(key(newDeployment.getMetadata()));
            }

            @Override
            public void onDelete(Deployment deployment) {
                queue.add(key(deployment.getMetadata()));
            }
        });
        sets.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(ReplicaSet set) {
                queueOwner(set);
            }

            @Override
            public void onUpdate(ReplicaSet oldSet, ReplicaSet newSet) {
                if (!Objects.equals(Owners.controllerOf(oldSet), Owners.controllerOf(newSet))) {
                    queueOwner(oldSet);
                }
                queueOwner(newSet);
            }

            @Override
            public void onDelete(ReplicaSet set) {
                queueOwner(set);
            }
        });
        pods.addHandler(new ResourceHandler<>() {
            @Override
            public void onDelete(Pod pod) {
                // a Recreate rollout waits for the old pods to be gone
                Owners.controllerOf(pod).filter(ref -> "ReplicaSet".equals(ref.getKind()))
                        .flatMap(ref -> sets.get(pod.getMetadata().getNamespace(), ref.getName()))
                        .flatMap(set -> owner(set)).filter(d -> d.getSpec().getStrategy() != null
                                && "Recreate".equals(d.getSpec().getStrategy().getType()))
                        .ifPresent(d -> queue.add(key(d.getMetadata())));
            }
        });
        deployments.start();
        sets.start();
        pods.start();
        for (Informer<?> informer : List.of(deployments, sets, pods)) {
            if (!informer.awaitSynced(Duration.ofSeconds(60))) {
                throw new IllegalStateException("the informers did not sync");
            }
        }
        loop.start(workers);
    }

    @Override
    public void close() {
        loop.close();
        deployments.close();
        sets.close();
        pods.close();
    }

    private static String key(ObjectMeta meta) {
        return ObjectKey.of(meta.getNamespace(), meta.getName());
    }

    private Optional<Deployment> owner(ReplicaSet set) {
        return Owners.controllerOf(set).filter(ref -> "Deployment".equals(ref.getKind()))
                .flatMap(ref -> deployments.get(set.getMetadata().getNamespace(), ref.getName())
                        .filter(d -> ref.getUid().equals(d.getMetadata().getUid())));
    }

    private void queueOwner(ReplicaSet set) {
        if (Owners.controllerOf(set).isPresent()) {
            owner(set).ifPresent(d -> queue.add(key(d.getMetadata())));
            return;
        }
        for (Deployment d : deployments.list(set.getMetadata().getNamespace())) {
            if (Selectors.matches(d.getSpec().getSelector(), set.getMetadata().getLabels())) {
                queue.add(key(d.getMetadata()));
            }
        }
    }

    private <T> T copy(T object, Class<T> type) {
        return client.json().convertValue(object, type);
    }

    Duration reconcile(String key) throws Exception {
        Optional<Deployment> cached = deployments.get(key);
        if (cached.isEmpty()) {
            return Duration.ZERO;
        }
        return new Sync(copy(cached.get(), Deployment.class)).run();
    }

    /** The new ReplicaSet (null if there is none yet) and the others. */
    private record Sets(ReplicaSet newSet, List<ReplicaSet> old) {
        List<ReplicaSet> all() {
            List<ReplicaSet> all = new ArrayList<>(old);
            if (newSet != null) {
                all.add(newSet);
            }
            return all;
        }
    }

    /** One reconciliation of one deployment; {@link #d} is the deployment as last written or read. */
    private final class Sync {
        private Deployment d;
        private final Instant now = Instant.now();

        Sync(Deployment deployment) {
            this.d = deployment;
            if (d.getStatus() == null) {
                d.setStatus(new DeploymentStatus());
            }
        }

        private int desired() {
            return DeploymentStatuses.desired(d);
        }

        private boolean recreate() {
            return d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType());
        }

        private RollingUpdate.Fenceposts fenceposts() {
            var rolling = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
            return RollingUpdate.resolve(rolling == null ? null : rolling.getMaxSurge(), rolling == null ? null : rolling.getMaxUnavailable(),
                    desired());
        }

        Duration run() throws Exception {
            if (d.getMetadata().getDeletionTimestamp() != null) {
                Sets state = sets(false);
                return writeStatus(state, false);
            }
            checkPausedCondition();
            if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
                return syncPaused();
            }
            return recreate() ? rolloutRecreate() : rolloutRolling();
        }

        /** The ReplicaSets the deployment controls, adopting orphans its selector matches. */
        private List<ReplicaSet> claim() throws Exception {
            List<ReplicaSet> owned = new ArrayList<>();
            String uid = d.getMetadata().getUid();
            for (ReplicaSet set : sets.list(d.getMetadata().getNamespace())) {
                Optional<OwnerReference> ref = Owners.controllerOf(set);
                if (ref.isPresent()) {
                    if (uid.equals(ref.get().getUid())) {
                        owned.add(set);
                    }
                } else if (d.getMetadata().getDeletionTimestamp() == null
                        && Selectors.matches(d.getSpec().getSelector(), set.getMetadata().getLabels())) {
                    ReplicaSet adopted = copy(set, ReplicaSet.class);
                    List<OwnerReference> refs = new ArrayList<>(
                            adopted.getMetadata().getOwnerReferences() == null ? List.of() : adopted.getMetadata().getOwnerReferences());
                    refs.add(reference());
                    adopted.getMetadata().setOwnerReferences(refs);
                    owned.add(setClient.update(adopted));
                }
            }
            return owned;
        }

        private OwnerReference reference() {
            OwnerReference ref = Owners.controllerReference(d);
            ref.setApiVersion("apps/v1");
            ref.setKind("Deployment");
            return ref;
        }

        /** getAllReplicaSetsAndSyncRevision: the new ReplicaSet found (its revision brought up to date) or created. */
        private Sets sets(boolean create) throws Exception {
            List<ReplicaSet> all = claim();
            ReplicaSet found = revisions.findNew(d.getSpec().getTemplate(), all);
            List<ReplicaSet> old = all.stream().filter(set -> set != found).toList();
            long next = Revisions.maxRevision(old) + 1;
            ReplicaSet newSet = found;
            if (found != null) {
                ReplicaSet updated = copy(found, ReplicaSet.class);
                Map<String, String> annotations = updated.getMetadata().getAnnotations() == null ? new HashMap<>()
                        : new HashMap<>(updated.getMetadata().getAnnotations());
                boolean changed = Revisions.setNewAnnotations(d.getMetadata().getAnnotations(), annotations, next);
                Integer minReady = d.getSpec().getMinReadySeconds();
                if (!Objects.equals(nonNull(minReady), nonNull(updated.getSpec().getMinReadySeconds()))) {
                    updated.getSpec().setMinReadySeconds(minReady);
                    changed = true;
                }
                if (changed) {
                    updated.getMetadata().setAnnotations(annotations);
                    newSet = setClient.update(updated);
                }
            } else if (create) {
                newSet = createNewSet(next, old);
            }
            if (newSet != null) {
                syncDeploymentRevision(Revisions.revision(newSet));
            }
            return new Sets(newSet, old);
        }

        private static int nonNull(Integer value) {
            return value == null ? 0 : value;
        }

        private void syncDeploymentRevision(long revision) throws Exception {
            String wanted = Long.toString(revision);
            Map<String, String> annotations = d.getMetadata().getAnnotations();
            if (annotations != null && wanted.equals(annotations.get(Revisions.REVISION))) {
                return;
            }
            Deployment updated = copy(d, Deployment.class);
            Map<String, String> changed = annotations == null ? new HashMap<>() : new HashMap<>(annotations);
            changed.put(Revisions.REVISION, wanted);
            updated.getMetadata().setAnnotations(changed);
            DeploymentStatus status = d.getStatus();
            d = deploymentClient.update(updated);
            d.setStatus(status);
        }

        private ReplicaSet createNewSet(long revision, List<ReplicaSet> old) throws Exception {
            Integer collisions = d.getStatus().getCollisionCount();
            String hash = revisions.hash(d.getSpec().getTemplate(), collisions);
            PodTemplateSpec template = copy(d.getSpec().getTemplate(), PodTemplateSpec.class);
            if (template.getMetadata() == null) {
                template.setMetadata(new ObjectMeta());
            }
            Map<String, String> labels = template.getMetadata().getLabels() == null ? new HashMap<>()
                    : new HashMap<>(template.getMetadata().getLabels());
            labels.put(Revisions.HASH_LABEL, hash);
            template.getMetadata().setLabels(labels);
            LabelSelector selector = copy(d.getSpec().getSelector(), LabelSelector.class);
            Map<String, String> matchLabels = selector.getMatchLabels() == null ? new HashMap<>() : new HashMap<>(selector.getMatchLabels());
            matchLabels.put(Revisions.HASH_LABEL, hash);
            selector.setMatchLabels(matchLabels);

            int replicas = recreate() ? desired()
                    : RollingUpdate.newReplicaSetSize(desired(), fenceposts(), RollingUpdate.sumSpec(old), 0);
            Map<String, String> annotations = new HashMap<>();
            Revisions.setNewAnnotations(d.getMetadata().getAnnotations(), annotations, revision);
            replicaAnnotations(annotations);
            ReplicaSet set = new ReplicaSet();
            ObjectMeta meta = new ObjectMeta();
            meta.setName(Names.child(d.getMetadata().getName(), hash));
            meta.setNamespace(d.getMetadata().getNamespace());
            meta.setLabels(new HashMap<>(labels));
            meta.setAnnotations(annotations);
            meta.setOwnerReferences(List.of(reference()));
            set.setMetadata(meta);
            ReplicaSetSpec spec = new ReplicaSetSpec();
            spec.setReplicas(replicas);
            spec.setMinReadySeconds(d.getSpec().getMinReadySeconds());
            spec.setSelector(selector);
            spec.setTemplate(template);
            set.setSpec(spec);
            ReplicaSet created;
            try {
                created = setClient.create(set);
            } catch (ApiStatusException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
                ReplicaSet existing = setClient.get(meta.getNamespace(), meta.getName());
                if (Owners.isControlledBy(existing, d.getMetadata().getUid())
                        && revisions.sameIgnoringHash(d.getSpec().getTemplate(), existing.getSpec().getTemplate())) {
                    // ours: the cache has not seen it yet
                    return existing;
                }
                // a hash collision: the next try hashes with a higher collision count
                DeploymentStatus status = copy(d.getStatus(), DeploymentStatus.class);
                status.setCollisionCount(collisions == null ? 1 : collisions + 1);
                Deployment counted = copy(d, Deployment.class);
                counted.setStatus(status);
                deploymentClient.updateStatus(counted);
                throw new IllegalStateException("replica set " + meta.getName() + " exists with another template; collision count raised");
            }
            if (replicas > 0) {
                events.normal(d, "ScalingReplicaSet", "Scaled up replica set " + created.getMetadata().getName() + " to " + replicas
                        + " from 0");
            }
            DeploymentStatuses.set(d.getStatus(), DeploymentStatuses.condition(DeploymentStatuses.PROGRESSING, "True",
                    DeploymentStatuses.NEW_RS_CREATED, "Created new replica set \"" + created.getMetadata().getName() + "\"", now));
            return created;
        }

        private boolean replicaAnnotations(Map<String, String> annotations) {
            String wanted = Integer.toString(desired());
            String max = Integer.toString(desired() + (recreate() ? 0 : fenceposts().maxSurge()));
            boolean changed = !wanted.equals(annotations.get(Revisions.DESIRED_REPLICAS)) || !max.equals(annotations.get(Revisions.MAX_REPLICAS));
            annotations.put(Revisions.DESIRED_REPLICAS, wanted);
            annotations.put(Revisions.MAX_REPLICAS, max);
            return changed;
        }

        /** Scales a ReplicaSet (and brings its replica annotations up to date); returns it as written. */
        private ReplicaSet scale(ReplicaSet set, int size) throws Exception {
            int current = RollingUpdate.specReplicas(set);
            Map<String, String> annotations = set.getMetadata().getAnnotations() == null ? new HashMap<>()
                    : new HashMap<>(set.getMetadata().getAnnotations());
            boolean annotationsChanged = replicaAnnotations(annotations);
            if (current == size && !annotationsChanged) {
                return set;
            }
            ReplicaSet updated = copy(set, ReplicaSet.class);
            updated.getSpec().setReplicas(size);
            updated.getMetadata().setAnnotations(annotations);
            ReplicaSet written = setClient.update(updated);
            if (current != size) {
                events.normal(d, "ScalingReplicaSet", "Scaled " + (size > current ? "up" : "down") + " replica set "
                        + set.getMetadata().getName() + " to " + size + " from " + current);
            }
            return written;
        }

        private Duration rolloutRolling() throws Exception {
            Sets state = sets(true);
            ReplicaSet newSet = state.newSet();
            int spec = RollingUpdate.specReplicas(newSet);
            if (spec != desired()) {
                int size = spec > desired() ? desired()
                        : RollingUpdate.newReplicaSetSize(desired(), fenceposts(), RollingUpdate.sumSpec(state.all()), spec);
                if (size != spec) {
                    state = new Sets(scale(newSet, size), state.old());
                    return writeStatus(state, true);
                }
            }
            Map<String, Integer> sizes = RollingUpdate.oldReplicaSetSizes(desired(), fenceposts(), newSet, state.old());
            if (!sizes.isEmpty()) {
                List<ReplicaSet> old = new ArrayList<>();
                for (ReplicaSet set : state.old()) {
                    Integer size = sizes.get(set.getMetadata().getName());
                    old.add(size == null ? set : scale(set, size));
                }
                return writeStatus(new Sets(newSet, old), true);
            }
            if (DeploymentStatuses.complete(d, d.getStatus())) {
                cleanUp(state.old());
            }
            return writeStatus(state, true);
        }

        private Duration rolloutRecreate() throws Exception {
            Sets state = sets(false);
            boolean scaledDown = false;
            List<ReplicaSet> old = new ArrayList<>();
            for (ReplicaSet set : state.old()) {
                if (RollingUpdate.specReplicas(set) > 0) {
                    old.add(scale(set, 0));
                    scaledDown = true;
                } else {
                    old.add(set);
                }
            }
            if (scaledDown || oldPodsRunning(old)) {
                return writeStatus(new Sets(state.newSet(), old), true);
            }
            if (state.newSet() == null) {
                state = sets(true);
            }
            ReplicaSet newSet = scale(state.newSet(), desired());
            state = new Sets(newSet, state.old());
            if (DeploymentStatuses.complete(d, d.getStatus())) {
                cleanUp(state.old());
            }
            return writeStatus(state, true);
        }

        private boolean oldPodsRunning(List<ReplicaSet> old) {
            for (ReplicaSet set : old) {
                if (set.getStatus() != null && set.getStatus().getReplicas() != null && set.getStatus().getReplicas() > 0) {
                    return true;
                }
                for (Pod pod : pods.byIndex(CONTROLLER_INDEX, set.getMetadata().getUid())) {
                    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
                    if (!"Failed".equals(phase) && !"Succeeded".equals(phase)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Paused: no rollout; only scaling of the one active (or latest) ReplicaSet, and history cleanup. */
        private Duration syncPaused() throws Exception {
            Sets state = sets(false);
            List<ReplicaSet> active = state.all().stream().filter(set -> RollingUpdate.specReplicas(set) > 0).toList();
            ReplicaSet target = null;
            if (active.size() == 1) {
                target = active.get(0);
            } else if (active.isEmpty()) {
                target = state.newSet() != null ? state.newSet()
                        : state.old().stream().max(RollingUpdate.OLDEST_FIRST).orElse(null);
            }
            if (target != null && RollingUpdate.specReplicas(target) != desired()) {
                ReplicaSet scaled = scale(target, desired());
                ReplicaSet wasTarget = target;
                List<ReplicaSet> old = state.old().stream().map(set -> set == wasTarget ? scaled : set).toList();
                state = new Sets(state.newSet() == wasTarget ? scaled : state.newSet(), old);
            }
            cleanUp(state.old());
            return writeStatus(state, false);
        }

        private void checkPausedCondition() throws Exception {
            if (!DeploymentStatuses.hasProgressDeadline(d)) {
                return;
            }
            DeploymentCondition current = DeploymentStatuses.get(d.getStatus(), DeploymentStatuses.PROGRESSING);
            if (current != null && DeploymentStatuses.TIMED_OUT.equals(current.getReason())) {
                return;
            }
            boolean pausedShown = current != null && DeploymentStatuses.PAUSED.equals(current.getReason());
            boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
            DeploymentCondition condition;
            if (paused && !pausedShown) {
                condition = DeploymentStatuses.condition(DeploymentStatuses.PROGRESSING, "Unknown", DeploymentStatuses.PAUSED,
                        "Deployment is paused", now);
            } else if (!paused && pausedShown) {
                condition = DeploymentStatuses.condition(DeploymentStatuses.PROGRESSING, "Unknown", DeploymentStatuses.RESUMED,
                        "Deployment is resumed", now);
            } else {
                return;
            }
            Deployment updated = copy(d, Deployment.class);
            if (updated.getStatus().getConditions() == null) {
                updated.getStatus().setConditions(new ArrayList<>());
            }
            DeploymentStatuses.set(updated.getStatus(), condition);
            d = deploymentClient.updateStatus(updated);
            if (d.getStatus() == null) {
                d.setStatus(new DeploymentStatus());
            }
        }

        private void cleanUp(List<ReplicaSet> old) throws Exception {
            Integer limit = d.getSpec().getRevisionHistoryLimit();
            if (limit == null) {
                return;
            }
            for (ReplicaSet set : Revisions.toCleanUp(old, limit)) {
                setClient.delete(set.getMetadata().getNamespace(), set.getMetadata().getName(),
                        io.kubundle.client.kube.DeleteOptions.DEFAULT.withPreconditionUid(set.getMetadata().getUid()));
            }
        }

        /** Writes the status (with the Progressing condition while rolling out); when to look again. */
        private Duration writeStatus(Sets state, boolean rollout) throws Exception {
            DeploymentStatus next = DeploymentStatuses.calculate(d, state.all(), state.newSet(), now);
            if (rollout) {
                DeploymentStatuses.progress(d, next, state.newSet(), now);
            }
            if (!DeploymentStatuses.same(d.getStatus(), next)) {
                Deployment updated = copy(d, Deployment.class);
                updated.setStatus(next);
                try {
                    d = deploymentClient.updateStatus(updated);
                } catch (ApiStatusException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                }
            }
            Duration after = rollout ? DeploymentStatuses.recheckAfter(d, next, now) : null;
            return after == null ? Duration.ZERO : after;
        }
    }
}
