package io.kubundle.controller.volume.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

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
 * lives on one node). A claim not bound yet leaves the pod free: with WaitForFirstConsumer the
 * provisioner follows the pod. Joins every profile by itself; reads claims and volumes from
 * informers of its own, so filtering makes no call.
 */
@Component(service = SchedulerPlugin.class, property = {
        SchedulerPlugin.NAME_PROPERTY + "=" + VolumeBinding.NAME,
        SchedulerPlugin.PROFILES_PROPERTY + "=*"})
public final class VolumeBinding implements PreFilter, Filter {
    static final String NAME = "VolumeBinding";
    static final String CONFLICT = "node(s) had volume node affinity conflict";

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private volatile Informer<PersistentVolumeClaim> claims;
    private volatile Informer<PersistentVolume> volumes;
    private ControllerHost host;

    @Activate
    void activate() {
        host = new ControllerHost("volume-binding", () -> new ControllerHost.Controller() {
            private final KubeClient client = new KubeClient(transport);
            private final Informer<PersistentVolumeClaim> claimCache = new Informer<>(client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS),
                    Duration.ZERO);
            private final Informer<PersistentVolume> volumeCache = new Informer<>(client.resources(Kinds.PERSISTENT_VOLUMES), Duration.ZERO);

            @Override
            public void start() throws Exception {
                claimCache.start();
                volumeCache.start();
                if (!claimCache.awaitSynced(Duration.ofSeconds(30)) || !volumeCache.awaitSynced(Duration.ofSeconds(30))) {
                    throw new IllegalStateException("claims and volumes did not sync");
                }
                claims = claimCache;
                volumes = volumeCache;
            }

            @Override
            public void close() {
                claimCache.close();
                volumeCache.close();
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
        Informer<PersistentVolumeClaim> claimCache = claims;
        Informer<PersistentVolume> volumeCache = volumes;
        if (claimCache == null || volumeCache == null) {
            return PreFilterResult.reject(Status.error("persistent volume caches not synced yet"));
        }
        List<PersistentVolume> pinned = new ArrayList<>();
        for (String claimName : claimNames) {
            PersistentVolumeClaim claim = claimCache.get(ObjectKey.of(pod.namespace(), claimName)).orElse(null);
            String volumeName = claim == null ? null : claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                volumeCache.get(volumeName).filter(v -> Binder.requiredTerms(v) != null).ifPresent(pinned::add);
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
