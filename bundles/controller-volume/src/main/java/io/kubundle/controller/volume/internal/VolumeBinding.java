package io.kubundle.controller.volume.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
import io.kubundle.controller.support.Kinds;

/**
 * The part of kube-scheduler's VolumeBinding plugin that keeps a pod with its data: a pod using a
 * bound claim goes only to nodes its volume's {@code nodeAffinity} allows (a local-path volume
 * lives on one node). A claim of a WaitForFirstConsumer class leaves the pod free (the provisioner
 * follows the pod). A claim not found, or not bound yet in an Immediate class, holds the pod back
 * as in Kubernetes; as an error status, because our scheduler's unschedulable pods are not woken
 * by claim events, and an error retries the pod after a back-off of a second or more, by which
 * time the binder has usually bound it. Joins every profile by itself; reads claims, volumes and
 * classes from informers of its own, so filtering makes no call.
 */
@Component(service = SchedulerPlugin.class, property = {
        SchedulerPlugin.NAME_PROPERTY + "=" + VolumeBinding.NAME,
        SchedulerPlugin.PROFILES_PROPERTY + "=*"})
public final class VolumeBinding implements PreFilter, Filter {
    static final String NAME = "VolumeBinding";
    static final String CONFLICT = "node(s) had volume node affinity conflict";

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    /** The caches filtering reads, once synced. */
    private record Caches(Informer<PersistentVolumeClaim> claims, Informer<PersistentVolume> volumes, Informer<ObjectNode> classes) {
    }

    private volatile Caches caches;
    private ControllerHost host;

    @Activate
    void activate() {
        host = new ControllerHost("volume-binding", () -> new ControllerHost.Controller() {
            private final KubeClient client = new KubeClient(transport);
            private final Caches started = new Caches(new Informer<>(client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS), Duration.ZERO),
                    new Informer<>(client.resources(Kinds.PERSISTENT_VOLUMES), Duration.ZERO),
                    new Informer<>(client.resources(StorageClasses.KIND), Duration.ZERO));

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
        List<PersistentVolume> pinned = new ArrayList<>();
        for (String claimName : claimNames) {
            PersistentVolumeClaim claim = cache.claims().get(ObjectKey.of(pod.namespace(), claimName)).orElse(null);
            if (claim == null) {
                return PreFilterResult.reject(Status.error("persistentvolumeclaim \"" + claimName + "\" not found"));
            }
            String volumeName = claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                cache.volumes().get(volumeName).filter(v -> Binder.requiredTerms(v) != null).ifPresent(pinned::add);
            } else if (StorageClasses.mode(cache.classes().get(Binder.claimClass(claim)).orElse(null)) == Binder.Mode.IMMEDIATE) {
                return PreFilterResult.reject(Status.error("pod has unbound immediate PersistentVolumeClaims"));
            }
        }
        if (pinned.isEmpty()) {
            return PreFilterResult.skip();
        }
        state.put(NAME, pinned);
        return PreFilterResult.success();
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
