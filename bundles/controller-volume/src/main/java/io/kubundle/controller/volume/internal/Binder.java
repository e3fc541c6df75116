package io.kubundle.controller.volume.internal;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kubundle.api.scheduler.NodeSelectorRequirement;
import io.kubundle.controller.support.Selectors;

/**
 * The PV controller's decisions, as kube-controller-manager's persistentvolume-binder makes them,
 * without any I/O: which volume a claim gets ({@link #findBest}), what to do with a claim
 * ({@link #claimStep}) and with a volume ({@link #volumeStep}). The controller reads the caches,
 * asks here, and writes.
 */
final class Binder {
    static final String BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    static final String BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
    static final String STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    static final String BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
    static final String HOSTNAME = "kubernetes.io/hostname";

    static final String AVAILABLE = "Available";
    static final String BOUND = "Bound";
    static final String RELEASED = "Released";
    static final String FAILED = "Failed";
    static final String PENDING = "Pending";
    static final String LOST = "Lost";

    private Binder() {
    }

    /** A node as binding needs it: its name and labels. */
    record Node(String name, Map<String, String> labels) {
    }

    /** How the claim's class binds: at once, or when a pod using the claim is scheduled. */
    enum Mode { IMMEDIATE, WAIT_FOR_FIRST_CONSUMER }

    /** What to do with a claim. */
    sealed interface ClaimStep {
    }

    /** Bind the claim and the volume to each other (each write skipped when already done). */
    record Bind(PersistentVolume volume) implements ClaimStep {
    }

    /** Make a volume for the claim (its class's provisioner), on that node (null: none chosen). */
    record Provision(Node node) implements ClaimStep {
    }

    /** Leave the claim Pending; tell the user why with an event. */
    record Wait(String reason, String message, boolean warning) implements ClaimStep {
    }

    /** The claim's volume is gone or taken: phase Lost. */
    record Lost(String message) implements ClaimStep {
    }

    /** What to do with a volume. */
    sealed interface VolumeStep {
    }

    /** Set the phase (nothing if it has it). */
    record Phase(String phase) implements VolumeStep {
    }

    /** The volume's claim must be synced (a binding half done). */
    record SyncClaim(String namespace, String name) implements VolumeStep {
    }

    /** The controller bound this volume to a claim that went to another volume: free it. */
    record Unbind() implements VolumeStep {
    }

    /** The claim is gone: Released, then the reclaim policy. */
    record Reclaim(String policy) implements VolumeStep {
    }

    /**
     * What to do with a claim.
     *
     * @param claim the claim, with a class (the default one filled in already)
     * @param volumes every volume
     * @param byName the volume the claim names, or null
     * @param mode how its class binds
     * @param provisioner its class's provisioner: null without a class object
     * @param ours whether that provisioner is this bundle's
     * @param node the node a pod using the claim was scheduled to ({@link #SELECTED_NODE}), or null
     */
    static ClaimStep claimStep(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes, PersistentVolume byName, Mode mode,
            String provisioner, boolean ours, Node node) {
        String volumeName = claim.getSpec().getVolumeName();
        boolean completed = annotation(claim.getMetadata().getAnnotations(), BIND_COMPLETED) != null;
        if (volumeName == null || volumeName.isEmpty()) {
            boolean delay = mode == Mode.WAIT_FOR_FIRST_CONSUMER;
            PersistentVolume best = findBest(claim, volumes, delay, node);
            if (best != null) {
                return new Bind(best);
            }
            if (delay && node == null) {
                return new Wait("WaitForFirstConsumer", "waiting for first consumer to be created before binding", false);
            }
            if (provisioner == null) {
                String className = claimClass(claim);
                return new Wait("FailedBinding", className.isEmpty()
                        ? "no persistent volumes available for this claim and no storage class is set"
                        : "storageclass.storage.k8s.io \"" + className + "\" not found", true);
            }
            if (!ours) {
                return new Wait("ExternalProvisioning", "Waiting for a volume to be created either by the external provisioner '"
                        + provisioner + "' or manually by the system administrator.", false);
            }
            if (claim.getSpec().getSelector() != null) {
                return new Wait("ProvisioningFailed", "claim.Spec.Selector is not supported for dynamic provisioning", true);
            }
            if (node == null) {
                return new Wait("ProvisioningFailed", provisioner + " needs a node: use volumeBindingMode WaitForFirstConsumer", true);
            }
            return new Provision(node);
        }
        if (byName == null) {
            return completed ? new Lost("Bound claim has lost its PersistentVolume. Data on the volume is lost!")
                    : new Wait("FailedBinding", "volume \"" + volumeName + "\" requested by claim not found", true);
        }
        ObjectReference ref = byName.getSpec().getClaimRef();
        if (ref == null) {
            String mismatch = mismatch(claim, byName);
            return mismatch == null ? new Bind(byName) : new Wait("VolumeMismatch", mismatch, true);
        }
        if (boundTo(byName, claim)) {
            return new Bind(byName);
        }
        return completed ? new Lost("Two claims are bound to the same volume, this one is bound incorrectly")
                : new Wait("FailedBinding", "volume \"" + volumeName + "\" already bound to a different claim.", true);
    }

    /**
     * What to do with a volume.
     *
     * @param claim the claim its {@code claimRef} names, read from the API server when not in the
     *     cache (so that a stale cache never releases a volume), or null when it does not exist
     */
    static VolumeStep volumeStep(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
            return new Phase(AVAILABLE); // unused, or pre-bound by the user to a claim not bound yet
        }
        if (claim == null || !ref.getUid().equals(claim.getMetadata().getUid())) {
            return new Reclaim(reclaimPolicy(volume));
        }
        String claimVolume = claim.getSpec().getVolumeName();
        if (claimVolume == null || claimVolume.isEmpty()) {
            return new SyncClaim(claim.getMetadata().getNamespace(), claim.getMetadata().getName());
        }
        if (claimVolume.equals(volume.getMetadata().getName())) {
            return new Phase(BOUND);
        }
        return annotation(volume.getMetadata().getAnnotations(), BOUND_BY_CONTROLLER) != null ? new Unbind() : new Phase(AVAILABLE);
    }

    /**
     * Kubernetes' {@code FindMatchingVolume}: a volume pre-bound to the claim, else the smallest
     * Available one that fits (class, access modes, volume mode, selector, capacity, node
     * affinity). With delayed binding and no node chosen, only a pre-bound volume.
     */
    static PersistentVolume findBest(PersistentVolumeClaim claim, Collection<PersistentVolume> volumes, boolean delay, Node node) {
        PersistentVolume smallest = null;
        BigDecimal smallestSize = null;
        BigDecimal requested = requested(claim);
        String className = claimClass(claim);
        for (PersistentVolume volume : volumes) {
            if (volume.getMetadata().getDeletionTimestamp() != null || !accessModesContained(claim, volume)
                    || !volumeMode(claim.getSpec().getVolumeMode()).equals(volumeMode(volume.getSpec().getVolumeMode()))) {
                continue;
            }
            boolean nodeFits = node == null || affinityAllows(volume, node);
            if (boundTo(volume, claim)) {
                return nodeFits ? volume : null;
            }
            if (delay && node == null) {
                continue;
            }
            if (!AVAILABLE.equals(phase(volume)) || volume.getSpec().getClaimRef() != null
                    || claim.getSpec().getSelector() != null && !Selectors.matches(claim.getSpec().getSelector(), labels(volume))
                    || !volumeClass(volume).equals(className) || !nodeFits) {
                continue;
            }
            BigDecimal size = capacity(volume);
            if (size.compareTo(requested) >= 0 && (smallest == null || smallestSize.compareTo(size) > 0)) {
                smallest = volume;
                smallestSize = size;
            }
        }
        return smallest;
    }

    /** Why a volume the claim names cannot serve it (Kubernetes' checkVolumeSatisfyClaim), or null when it can. */
    static String mismatch(PersistentVolumeClaim claim, PersistentVolume volume) {
        if (capacity(volume).compareTo(requested(claim)) < 0) {
            return "requested PV is too small";
        }
        if (!volumeClass(volume).equals(claimClass(claim))) {
            return "storageClassName does not match";
        }
        if (!volumeMode(claim.getSpec().getVolumeMode()).equals(volumeMode(volume.getSpec().getVolumeMode()))) {
            return "incompatible volumeMode";
        }
        if (!accessModesContained(claim, volume)) {
            return "incompatible accessMode";
        }
        return null;
    }

    /** Whether the volume's claimRef names this claim (its uid, when the ref has one). */
    static boolean boundTo(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || !Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                || !Objects.equals(ref.getName(), claim.getMetadata().getName())) {
            return false;
        }
        return ref.getUid() == null || ref.getUid().isEmpty() || ref.getUid().equals(claim.getMetadata().getUid());
    }

    /** Whether the node satisfies the volume's {@code nodeAffinity.required} (any term; none: every node). */
    static boolean affinityAllows(PersistentVolume volume, Node node) {
        List<NodeSelectorTerm> terms = requiredTerms(volume);
        if (terms == null) {
            return true;
        }
        for (NodeSelectorTerm term : terms) {
            boolean empty = isEmpty(term.getMatchExpressions()) && isEmpty(term.getMatchFields());
            if (!empty && all(term.getMatchExpressions(), node.labels()) && all(term.getMatchFields(), Map.of("metadata.name", node.name()))) {
                return true;
            }
        }
        return false;
    }

    /** The volume's required node selector terms, or null when it has no node affinity. */
    static List<NodeSelectorTerm> requiredTerms(PersistentVolume volume) {
        var affinity = volume.getSpec().getNodeAffinity();
        return affinity == null || affinity.getRequired() == null ? null : affinity.getRequired().getNodeSelectorTerms();
    }

    private static boolean isEmpty(List<?> list) {
        return list == null || list.isEmpty();
    }

    private static boolean all(List<io.fabric8.kubernetes.api.model.NodeSelectorRequirement> requirements, Map<String, String> values) {
        if (requirements == null) {
            return true;
        }
        for (var requirement : requirements) {
            if (!new NodeSelectorRequirement(requirement.getKey(), requirement.getOperator(), requirement.getValues()).matches(values)) {
                return false;
            }
        }
        return true;
    }

    /** The claim's class: the beta annotation, else {@code spec.storageClassName}, else "". */
    static String claimClass(PersistentVolumeClaim claim) {
        return className(claim.getMetadata().getAnnotations(), claim.getSpec().getStorageClassName());
    }

    /** Whether the claim names a class at all ("" is a class: none); the default class goes to those that do not. */
    static boolean hasClass(PersistentVolumeClaim claim) {
        return annotation(claim.getMetadata().getAnnotations(), BETA_STORAGE_CLASS) != null || claim.getSpec().getStorageClassName() != null;
    }

    static String volumeClass(PersistentVolume volume) {
        return className(volume.getMetadata().getAnnotations(), volume.getSpec().getStorageClassName());
    }

    private static String className(Map<String, String> annotations, String storageClassName) {
        String annotated = annotation(annotations, BETA_STORAGE_CLASS);
        if (annotated != null) {
            return annotated;
        }
        return storageClassName == null ? "" : storageClassName;
    }

    static String phase(PersistentVolume volume) {
        return volume.getStatus() == null || volume.getStatus().getPhase() == null ? PENDING : volume.getStatus().getPhase();
    }

    static String phase(PersistentVolumeClaim claim) {
        return claim.getStatus() == null || claim.getStatus().getPhase() == null ? PENDING : claim.getStatus().getPhase();
    }

    /** {@code persistentVolumeReclaimPolicy}, Retain when unset (Kubernetes' default for volumes made by hand). */
    static String reclaimPolicy(PersistentVolume volume) {
        String policy = volume.getSpec().getPersistentVolumeReclaimPolicy();
        return policy == null || policy.isEmpty() ? "Retain" : policy;
    }

    static String volumeMode(String mode) {
        return mode == null || mode.isEmpty() ? "Filesystem" : mode;
    }

    static boolean accessModesContained(PersistentVolumeClaim claim, PersistentVolume volume) {
        List<String> offered = volume.getSpec().getAccessModes() == null ? List.of() : volume.getSpec().getAccessModes();
        List<String> wanted = claim.getSpec().getAccessModes() == null ? List.of() : claim.getSpec().getAccessModes();
        return offered.containsAll(wanted);
    }

    static BigDecimal requested(PersistentVolumeClaim claim) {
        var resources = claim.getSpec().getResources();
        return bytes(resources == null || resources.getRequests() == null ? null : resources.getRequests().get("storage"));
    }

    static BigDecimal capacity(PersistentVolume volume) {
        return bytes(volume.getSpec().getCapacity() == null ? null : volume.getSpec().getCapacity().get("storage"));
    }

    private static BigDecimal bytes(Quantity quantity) {
        return quantity == null ? BigDecimal.ZERO : Quantity.getAmountInBytes(quantity);
    }

    private static Map<String, String> labels(PersistentVolume volume) {
        return volume.getMetadata().getLabels() == null ? Map.of() : volume.getMetadata().getLabels();
    }

    static String annotation(Map<String, String> annotations, String key) {
        return annotations == null ? null : annotations.get(key);
    }
}
