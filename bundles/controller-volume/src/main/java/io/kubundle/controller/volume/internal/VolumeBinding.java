package io.kubundle.controller.volume.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.Permit;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PreFilter;
import io.kubundle.api.scheduler.PreFilterResult;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Status;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.controller.support.Kinds;

/**
 * The part of kube-scheduler's VolumeBinding plugin that keeps a pod with its data: a pod using a
 * bound claim goes only to nodes its volume's {@code nodeAffinity} allows (a local-path volume
 * lives on one node). A claim of a WaitForFirstConsumer class leaves the pod free until it is
 * placed: then, in Permit, the node is written on the claim and the pod's binding waits for the
 * provisioner (a claim whose node is chosen already keeps its other pods there). A claim not found, or not bound yet in an Immediate class, holds the pod back
 * as in Kubernetes; as an error status, because our scheduler's unschedulable pods are not woken
 * by claim events, and an error retries the pod after a back-off of a second or more, by which
 * time the binder has usually bound it. Joins every profile by itself; reads claims, volumes and
 * classes from informers of its own, so filtering makes no call.
 */
@Component(service = SchedulerPlugin.class, property = {
        SchedulerPlugin.NAME_PROPERTY + "=" + VolumeBinding.NAME,
        SchedulerPlugin.PROFILES_PROPERTY + "=*"})
public final class VolumeBinding implements PreFilter, Filter, Permit {
    static final String NAME = "VolumeBinding";
    static final String CONFLICT = "node(s) had volume node affinity conflict";
    private static final String UNBOUND = NAME + "/unbound";
    private static final Duration PROVISIONING_TIMEOUT = Duration.ofSeconds(60);

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    /** The caches filtering reads, once synced. */
    private record Caches(Informer<PersistentVolumeClaim> claims, Informer<PersistentVolume> volumes, Informer<ObjectNode> classes,
            ResourceClient<PersistentVolumeClaim> claimClient) {
    }

    private volatile Caches caches;
    private ControllerHost host;
    private final ExecutorService waiters = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "volume-binding-permit");
        thread.setDaemon(true);
        return thread;
    });

    @Activate
    void activate() {
        host = new ControllerHost("volume-binding", () -> new ControllerHost.Controller() {
            private final KubeClient client = new KubeClient(transport);
            private final Caches started = new Caches(new Informer<>(client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS), Duration.ZERO),
                    new Informer<>(client.resources(Kinds.PERSISTENT_VOLUMES), Duration.ZERO),
                    new Informer<>(client.resources(StorageClasses.KIND), Duration.ZERO), client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS));

            @Override
            public void start() throws Exception {
                for (Informer<?> informer : List.of(started.claims(), started.volumes(), started.classes())) {
                    informer.start();
                }
                for (Informer<?> informer : List.of(started.claims(), started.volumes(), started.classes())) {
                    if (!informer.awaitSynced(Duration.ofSeconds(30))) {
                        throw new IllegalStateException("claims, volumes and classes did not sync");
                    }
                }
                caches = started;
            }

            @Override
            public void close() {
                for (Informer<?> informer : List.of(started.claims(), started.volumes(), started.classes())) {
                    informer.close();
                }
            }
        });
    }

    @Deactivate
    void deactivate() {
        host.close();
        waiters.shutdownNow();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        List<String> claimNames = claimNames(pod.object());
        if (claimNames.isEmpty()) {
            return PreFilterResult.skip();
        }
        Caches cache = caches;
        if (cache == null) {
            return PreFilterResult.reject(Status.error("persistent volume caches not synced yet"));
        }
        return preFilter(state, claimNames, name -> cache.claims().get(ObjectKey.of(pod.namespace(), name)), cache.volumes()::get,
                cache.classes()::get);
    }

    /** PreFilter on the pod's claims, volumes and classes as the lookups give them. */
    static PreFilterResult preFilter(CycleState state, List<String> claimNames, Function<String, Optional<PersistentVolumeClaim>> claims,
            Function<String, Optional<PersistentVolume>> volumes, Function<String, Optional<ObjectNode>> classes) {
        List<PersistentVolume> pinned = new ArrayList<>();
        List<PersistentVolumeClaim> unbound = new ArrayList<>();
        Set<String> selected = new HashSet<>();
        for (String claimName : claimNames) {
            PersistentVolumeClaim claim = claims.apply(claimName).orElse(null);
            if (claim == null) {
                return PreFilterResult.reject(Status.error("persistentvolumeclaim \"" + claimName + "\" not found"));
            }
            String volumeName = claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                volumes.apply(volumeName).filter(v -> Binder.requiredTerms(v) != null).ifPresent(pinned::add);
            } else if (StorageClasses.mode(classes.apply(Binder.claimClass(claim)).orElse(null)) == Binder.Mode.IMMEDIATE) {
                return PreFilterResult.reject(Status.error("pod has unbound immediate PersistentVolumeClaims"));
            } else {
                unbound.add(claim);
                String node = Binder.annotation(claim.getMetadata().getAnnotations(), Binder.SELECTED_NODE);
                if (node != null) {
                    selected.add(node); // another pod's placement chose the claim's node already
                }
            }
        }
        if (!unbound.isEmpty()) {
            state.put(UNBOUND, unbound);
        }
        if (selected.size() > 1) {
            return PreFilterResult.reject(Status.unresolvable("pod's claims were given different nodes"));
        }
        if (pinned.isEmpty() && selected.isEmpty()) {
            return PreFilterResult.skip();
        }
        state.put(NAME, pinned);
        return selected.isEmpty() ? PreFilterResult.success() : PreFilterResult.only(selected);
    }

    /**
     * The pod waits (on the binding cycle, not the scheduling thread) until its WaitForFirstConsumer
     * claims are bound: the chosen node is written on each as {@code volume.kubernetes.io/selected-node},
     * as kube-scheduler does, and the provisioner makes the volume there. So the pod reaches its
     * node with its volumes ready.
     */
    @Override
    public Status permit(CycleState state, PodInfo pod, String nodeName) {
        List<PersistentVolumeClaim> unbound = state.get(UNBOUND);
        Caches cache = caches;
        if (unbound == null || cache == null) {
            return Status.success();
        }
        CompletableFuture<Status> decision = CompletableFuture.supplyAsync(() -> awaitBound(cache, unbound, nodeName), waiters);
        return Status.waitFor(decision, PROVISIONING_TIMEOUT);
    }

    private static Status awaitBound(Caches cache, List<PersistentVolumeClaim> claims, String nodeName) {
        try {
            for (PersistentVolumeClaim claim : claims) {
                if (Binder.annotation(claim.getMetadata().getAnnotations(), Binder.SELECTED_NODE) == null) {
                    cache.claimClient().patch(claim.getMetadata().getNamespace(), claim.getMetadata().getName(), PatchType.MERGE,
                            Map.of("metadata", Map.of("annotations", Map.of(Binder.SELECTED_NODE, nodeName))));
                }
            }
            long deadline = System.nanoTime() + PROVISIONING_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (claims.stream().allMatch(claim -> cache.claims().get(ObjectKey.of(claim.getMetadata().getNamespace(),
                        claim.getMetadata().getName())).map(c -> c.getSpec().getVolumeName() != null
                                && !c.getSpec().getVolumeName().isEmpty()).orElse(false))) {
                    return Status.success();
                }
                Thread.sleep(100);
            }
            return Status.unschedulable("timed out waiting for the volumes of the pod's claims to be provisioned");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.error("interrupted");
        } catch (Exception e) {
            return Status.error("selecting the node of the pod's claims: " + e.getMessage());
        }
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<PersistentVolume> pinned = state.get(NAME);
        if (pinned == null) {
            return Status.success();
        }
        Binder.Node candidate = new Binder.Node(node.name(), node.labels());
        for (PersistentVolume volume : pinned) {
            if (!Binder.affinityAllows(volume, candidate)) {
                return Status.unresolvable(CONFLICT);
            }
        }
        return Status.success();
    }

    /** The claims a pod's volumes name, from its JSON tree. */
    static List<String> claimNames(Map<String, Object> pod) {
        List<String> names = new ArrayList<>();
        if (pod.get("spec") instanceof Map<?, ?> spec && spec.get("volumes") instanceof List<?> podVolumes) {
            for (Object volume : podVolumes) {
                if (volume instanceof Map<?, ?> v && v.get("persistentVolumeClaim") instanceof Map<?, ?> source
                        && source.get("claimName") instanceof String name) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
