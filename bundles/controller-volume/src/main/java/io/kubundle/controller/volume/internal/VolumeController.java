package io.kubundle.controller.volume.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Kinds;

/**
 * The PV controller (kube-controller-manager's persistentvolume-binder) and the local-path
 * provisioner. Keys are {@code pvc/<namespace>/<name>} and {@code pv/<name>}; the decisions are
 * {@link Binder}'s. Every write carries the cached {@code resourceVersion}, so two instances (the
 * moments of a swap) never bind one volume twice: the second write fails with a conflict and is
 * retried against the new state. Provisioned volumes are named after the claim's uid, so a retry
 * never makes a second one.
 */
final class VolumeController implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(VolumeController.class.getName());
    private static final String CLAIM = "pvc/";
    private static final String VOLUME = "pv/";
    private static final String BY_CLAIM = "claim";
    private static final Duration RESYNC = Duration.ofSeconds(30);

    private final KubeClient client;
    private final ObjectMapper json;
    private final LocalPath localPath;
    private final ResourceClient<PersistentVolume> volumeClient;
    private final ResourceClient<PersistentVolumeClaim> claimClient;
    private final ResourceClient<ObjectNode> classClient;
    private final Informer<PersistentVolume> volumes;
    private final Informer<PersistentVolumeClaim> claims;
    private final Informer<ObjectNode> classes;
    private final Informer<Pod> pods;
    private final Informer<Node> nodes;
    private final WorkQueue<String> queue = new WorkQueue<>("volume");
    private final ControllerLoop loop;
    private final EventRecorder recorder;
    private final int workers;
    /** The last Pending reason told per claim uid, so that a resync does not repeat the event. */
    private final Map<String, String> told = new ConcurrentHashMap<>();

    VolumeController(KubeClient client, LocalPath localPath, int workers) {
        this.client = client;
        this.json = client.json();
        this.localPath = localPath;
        this.workers = workers;
        this.volumeClient = client.resources(Kinds.PERSISTENT_VOLUMES);
        this.claimClient = client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS);
        this.classClient = client.resources(StorageClasses.KIND);
        this.volumes = new Informer<>(volumeClient, RESYNC);
        this.claims = new Informer<>(claimClient, RESYNC);
        this.classes = new Informer<>(classClient, Duration.ZERO);
        this.pods = new Informer<>(client.resources(Kinds.PODS), Duration.ZERO);
        this.nodes = new Informer<>(client.resources(Kinds.NODES), Duration.ZERO);
        this.recorder = new EventRecorder(client, "persistentvolume-controller");
        this.loop = new ControllerLoop("volume", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws Exception {
        ensureLocalPathClass();
        pods.addIndex(BY_CLAIM, VolumeController::claimKeys);
        volumes.addHandler(handler(volume -> {
            queue.add(VOLUME + volume.getMetadata().getName());
            var ref = volume.getSpec().getClaimRef();
            if (ref != null) {
                queue.add(CLAIM + ObjectKey.of(ref.getNamespace(), ref.getName()));
            }
            if (ref == null && Binder.AVAILABLE.equals(Binder.phase(volume))) {
                enqueueUnboundClaims(); // a volume to bind
            }
        }));
        claims.addHandler(handler(claim -> {
            queue.add(CLAIM + key(claim));
            String volumeName = claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                queue.add(VOLUME + volumeName);
            }
            // a deleted claim: the volumes bound to it are released
            volumes.list().stream().filter(v -> Binder.boundTo(v, claim)).forEach(v -> queue.add(VOLUME + v.getMetadata().getName()));
            if (claims.get(key(claim)).isEmpty()) {
                told.remove(claim.getMetadata().getUid());
            }
        }));
        classes.addHandler(handler(storageClass -> enqueueUnboundClaims()));
        pods.addHandler(handler(pod -> claimKeys(pod).forEach(claim -> queue.add(CLAIM + claim))));
        for (Informer<?> informer : List.of(classes, nodes, pods, volumes, claims)) {
            informer.start();
        }
        Duration timeout = Duration.ofSeconds(30);
        for (Informer<?> informer : List.of(classes, nodes, pods, volumes, claims)) {
            if (!informer.awaitSynced(timeout)) {
                throw new IllegalStateException("volume controller: informers did not sync in " + timeout);
            }
        }
        loop.start(workers);
    }

    @Override
    public void close() {
        loop.close();
        queue.close();
        for (Informer<?> informer : List.of(claims, volumes, pods, nodes, classes)) {
            informer.close();
        }
    }

    /** The default class, unless one of that name exists (a user's is never overwritten). */
    private void ensureLocalPathClass() throws Exception {
        if (classClient.find(null, StorageClasses.LOCAL_PATH).isEmpty()) {
            try {
                classClient.create(StorageClasses.localPath());
            } catch (ApiStatusException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
            }
        }
    }

    private static <T> ResourceHandler<T> handler(java.util.function.Consumer<T> onChange) {
        return new ResourceHandler<>() {
            @Override
            public void onAdd(T object) {
                onChange.accept(object);
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                onChange.accept(newObject);
            }

            @Override
            public void onDelete(T object) {
                onChange.accept(object);
            }
        };
    }

    private void enqueueUnboundClaims() {
        for (PersistentVolumeClaim claim : claims.list()) {
            if (claim.getSpec().getVolumeName() == null || claim.getSpec().getVolumeName().isEmpty()) {
                queue.add(CLAIM + key(claim));
            }
        }
    }

    /** The {@code namespace/claim} keys of the claims a pod's volumes use. */
    private static List<String> claimKeys(Pod pod) {
        List<String> keys = new ArrayList<>();
        if (pod.getSpec() != null && pod.getSpec().getVolumes() != null) {
            for (Volume volume : pod.getSpec().getVolumes()) {
                if (volume.getPersistentVolumeClaim() != null) {
                    keys.add(ObjectKey.of(pod.getMetadata().getNamespace(), volume.getPersistentVolumeClaim().getClaimName()));
                }
            }
        }
        return keys;
    }

    /** Succeeded or Failed: its containers are gone (a pod being deleted may still have the volume mounted). */
    private static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static String key(PersistentVolumeClaim claim) {
        return ObjectKey.of(claim.getMetadata().getNamespace(), claim.getMetadata().getName());
    }

    Duration reconcile(String key) throws Exception {
        if (key.startsWith(CLAIM)) {
            Optional<PersistentVolumeClaim> claim = claims.get(key.substring(CLAIM.length()));
            if (claim.isEmpty()) {
                return Duration.ZERO;
            }
            return syncClaim(claim.get());
        }
        Optional<PersistentVolume> volume = volumes.get(key.substring(VOLUME.length()));
        return volume.isEmpty() ? Duration.ZERO : syncVolume(volume.get());
    }

    private Duration syncClaim(PersistentVolumeClaim claim) throws Exception {
        String volumeName = claim.getSpec().getVolumeName();
        boolean unbound = volumeName == null || volumeName.isEmpty();
        if (unbound && !Binder.hasClass(claim)) {
            // Kubernetes' retroactive default StorageClass: a claim made before any default existed gets it
            Optional<String> defaultClass = StorageClasses.defaultClass(classes.list());
            if (defaultClass.isPresent()) {
                PersistentVolumeClaim changed = copy(claim);
                changed.getSpec().setStorageClassName(defaultClass.get());
                claimClient.update(changed);
                return Duration.ZERO;
            }
        }
        ObjectNode storageClass = classes.get(Binder.claimClass(claim)).orElse(null);
        Binder.Mode mode = StorageClasses.mode(storageClass);
        String provisioner = storageClass == null ? null : storageClass.path("provisioner").asText();
        Binder.Node node = null;
        if (unbound) {
            String selected = Binder.annotation(claim.getMetadata().getAnnotations(), Binder.SELECTED_NODE);
            if (selected == null && mode == Binder.Mode.WAIT_FOR_FIRST_CONSUMER) {
                // VolumeBinding's Permit writes the node; a pod placed without it (by hand) has its node taken here
                Optional<String> scheduled = pods.byIndex(BY_CLAIM, key(claim)).stream()
                        .filter(pod -> pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty())
                        .filter(pod -> !terminal(pod)).map(pod -> pod.getSpec().getNodeName()).findFirst();
                if (scheduled.isPresent()) {
                    PersistentVolumeClaim changed = copy(claim);
                    changed.getMetadata().getAnnotations().put(Binder.SELECTED_NODE, scheduled.get());
                    if (provisioner != null && !provisioner.isEmpty()) {
                        changed.getMetadata().getAnnotations().put(Binder.STORAGE_PROVISIONER, provisioner);
                    }
                    claimClient.update(changed);
                    return Duration.ZERO;
                }
            }
            node = selected == null ? null : node(selected);
        }
        Binder.ClaimStep step = Binder.claimStep(claim, volumes.list(), unbound ? null : volumes.get(volumeName).orElse(null), mode,
                provisioner, StorageClasses.PROVISIONER.equals(provisioner), node);
        if (step instanceof Binder.Bind bind) {
            bind(claim, bind.volume());
        } else if (step instanceof Binder.Provision provision) {
            provision(claim, storageClass, provision.node());
        } else if (step instanceof Binder.Wait wait) {
            claimPhase(claim, Binder.PENDING);
            tell(claim, wait.reason(), wait.message(), wait.warning());
        } else if (step instanceof Binder.Lost lost) {
            if (!Binder.LOST.equals(Binder.phase(claim))) {
                claimPhase(claim, Binder.LOST);
                recorder.warning(claim, "ClaimLost", lost.message());
            }
        }
        return Duration.ZERO;
    }

    private Binder.Node node(String name) {
        Map<String, String> labels = nodes.get(name).map(n -> n.getMetadata().getLabels()).orElse(null);
        return new Binder.Node(name, labels == null ? Map.of(Binder.HOSTNAME, name) : labels);
    }

    /**
     * Kubernetes' bind: the volume's claimRef, its phase, the claim's volumeName and annotations,
     * its status; each write only if missing, each on the object the previous write returned.
     */
    private void bind(PersistentVolumeClaim claim, PersistentVolume volume) throws Exception {
        var ref = volume.getSpec().getClaimRef();
        if (ref == null || !claim.getMetadata().getUid().equals(ref.getUid())) {
            PersistentVolume changed = copy(volume);
            if (ref == null) {
                changed.getMetadata().getAnnotations().put(Binder.BOUND_BY_CONTROLLER, "yes");
            }
            changed.getSpec().setClaimRef(new ObjectReferenceBuilder().withApiVersion("v1").withKind("PersistentVolumeClaim")
                    .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                    .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion()).build());
            volume = volumeClient.update(changed);
        }
        if (!Binder.BOUND.equals(Binder.phase(volume))) {
            volume = volumePhase(volume, Binder.BOUND, null);
        }
        String name = volume.getMetadata().getName();
        if (!name.equals(claim.getSpec().getVolumeName()) || Binder.annotation(claim.getMetadata().getAnnotations(), Binder.BIND_COMPLETED) == null) {
            PersistentVolumeClaim changed = copy(claim);
            if (!name.equals(claim.getSpec().getVolumeName())) {
                changed.getSpec().setVolumeName(name);
                changed.getMetadata().getAnnotations().put(Binder.BOUND_BY_CONTROLLER, "yes");
            }
            changed.getMetadata().getAnnotations().put(Binder.BIND_COMPLETED, "yes");
            claim = claimClient.update(changed);
        }
        PersistentVolumeClaimStatus status = claim.getStatus() == null ? new PersistentVolumeClaimStatus() : claim.getStatus();
        if (!Binder.BOUND.equals(status.getPhase()) || !java.util.Objects.equals(status.getCapacity(), volume.getSpec().getCapacity())
                || !java.util.Objects.equals(status.getAccessModes(), volume.getSpec().getAccessModes())) {
            PersistentVolumeClaim changed = copy(claim);
            PersistentVolumeClaimStatus next = changed.getStatus() == null ? new PersistentVolumeClaimStatus() : changed.getStatus();
            next.setPhase(Binder.BOUND);
            next.setCapacity(volume.getSpec().getCapacity());
            next.setAccessModes(volume.getSpec().getAccessModes());
            changed.setStatus(next);
            claimClient.updateStatus(changed);
        }
        told.remove(claim.getMetadata().getUid());
    }

    private void provision(PersistentVolumeClaim claim, ObjectNode storageClass, Binder.Node node) throws Exception {
        String className = storageClass.path("metadata").path("name").asText();
        PersistentVolume volume = localPath.volumeFor(claim, className, StorageClasses.reclaimPolicy(storageClass), node);
        try {
            volumeClient.create(volume);
        } catch (ApiStatusException e) {
            if (e.isAlreadyExists()) {
                return; // made by an earlier attempt (or instance): binding carries on from its watch event
            }
            recorder.warning(claim, "ProvisioningFailed", "Failed to provision volume with StorageClass \"" + className + "\": "
                    + e.getMessage());
            throw e;
        }
        recorder.normal(claim, "ProvisioningSucceeded", "Successfully provisioned volume " + volume.getMetadata().getName()
                + " on node " + node.name());
    }

    private Duration syncVolume(PersistentVolume volume) throws Exception {
        var ref = volume.getSpec().getClaimRef();
        PersistentVolumeClaim claim = null;
        if (ref != null && ref.getUid() != null && !ref.getUid().isEmpty()) {
            claim = claims.get(ObjectKey.of(ref.getNamespace(), ref.getName())).orElse(null);
            if (claim == null || !ref.getUid().equals(claim.getMetadata().getUid())) {
                // never release on the word of a cache that may lag (a claim just made, an instance just started)
                claim = claimClient.find(ref.getNamespace(), ref.getName()).orElse(null);
            }
        }
        Binder.VolumeStep step = Binder.volumeStep(volume, claim);
        if (step instanceof Binder.Phase phase) {
            if (!phase.phase().equals(Binder.phase(volume))) {
                volumePhase(volume, phase.phase(), null);
            }
        } else if (step instanceof Binder.SyncClaim sync) {
            queue.add(CLAIM + ObjectKey.of(sync.namespace(), sync.name()));
        } else if (step instanceof Binder.Unbind) {
            PersistentVolume changed = copy(volume);
            changed.getSpec().setClaimRef(null);
            changed.getMetadata().getAnnotations().remove(Binder.BOUND_BY_CONTROLLER);
            volumePhase(volumeClient.update(changed), Binder.AVAILABLE, null);
        } else if (step instanceof Binder.Reclaim reclaim) {
            return reclaim(volume, reclaim.policy());
        }
        return Duration.ZERO;
    }

    /** The claim is gone: Released, then Retain (keep), Delete (the data, if ours and here, then the volume), Recycle (Failed). */
    private Duration reclaim(PersistentVolume volume, String policy) throws Exception {
        String phase = Binder.phase(volume);
        if (Binder.FAILED.equals(phase)) {
            return Duration.ZERO;
        }
        if (!Binder.RELEASED.equals(phase)) {
            volume = volumePhase(volume, Binder.RELEASED, null);
        }
        switch (policy) {
            case "Retain" -> {
                return Duration.ZERO;
            }
            case "Delete" -> {
                var ref = volume.getSpec().getClaimRef();
                if (pods.list(ref.getNamespace()).stream().anyMatch(p -> !terminal(p) && claimKeys(p).contains(
                        ObjectKey.of(ref.getNamespace(), ref.getName())))) {
                    return Duration.ofSeconds(2); // a pod still uses the data (there is no pvc-protection finalizer here)
                }
                if (localPath.removeData(volume)) {
                    LOG.log(System.Logger.Level.INFO, "removed the data of volume {0}", volume.getMetadata().getName());
                }
                volumeClient.delete(null, volume.getMetadata().getName(),
                        io.kubundle.client.kube.DeleteOptions.DEFAULT.withPreconditionUid(volume.getMetadata().getUid()));
                return Duration.ZERO;
            }
            default -> {
                volumePhase(volume, Binder.FAILED, "reclaim policy " + policy + " is not supported; use Delete or Retain");
                return Duration.ZERO;
            }
        }
    }

    private PersistentVolume volumePhase(PersistentVolume volume, String phase, String message) throws Exception {
        PersistentVolume changed = copy(volume);
        PersistentVolumeStatus status = changed.getStatus() == null ? new PersistentVolumeStatus() : changed.getStatus();
        status.setPhase(phase);
        status.setMessage(message);
        status.setLastPhaseTransitionTime(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        changed.setStatus(status);
        return volumeClient.updateStatus(changed);
    }

    private void claimPhase(PersistentVolumeClaim claim, String phase) throws Exception {
        if (phase.equals(claim.getStatus() == null ? null : claim.getStatus().getPhase())) {
            return;
        }
        PersistentVolumeClaim changed = copy(claim);
        PersistentVolumeClaimStatus status = changed.getStatus() == null ? new PersistentVolumeClaimStatus() : changed.getStatus();
        status.setPhase(phase);
        changed.setStatus(status);
        claimClient.updateStatus(changed);
    }

    /** An event for a Pending claim, once per reason and message. */
    private void tell(PersistentVolumeClaim claim, String reason, String message, boolean warning) {
        String said = reason + ": " + message;
        if (said.equals(told.put(claim.getMetadata().getUid(), said))) {
            return;
        }
        if (warning) {
            recorder.warning(claim, reason, message);
        } else {
            recorder.normal(claim, reason, message);
        }
    }

    /** A deep copy to change (cached objects are shared), with an annotations map. */
    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T copy(T object) {
        @SuppressWarnings("unchecked")
        T copy = (T) json.convertValue(object, object.getClass());
        if (copy.getMetadata().getAnnotations() == null) {
            copy.getMetadata().setAnnotations(new HashMap<>());
        }
        return copy;
    }
}
