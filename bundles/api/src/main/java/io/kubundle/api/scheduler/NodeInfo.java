package io.kubundle.api.scheduler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A node as one scheduling attempt sees it: its labels, taints and allocatable resources, the
 * pods on it (bound, and assumed by the scheduler before their binding is seen) and what they
 * request. Immutable: a change to the node or its pods makes a new NodeInfo.
 */
public final class NodeInfo {
    private final String name;
    private final Map<String, String> labels;
    private final List<Taint> taints;
    private final boolean unschedulable;
    private final Resources allocatable;
    private final long allowedPods;
    private final List<PodInfo> pods;
    private final Resources requested;
    private final long nonZeroMilliCpu;
    private final long nonZeroMemory;
    private final List<PodInfo> podsWithAffinity;
    private final List<PodInfo> podsWithRequiredAntiAffinity;
    private final Supplier<Map<String, Object>> object;
    private volatile Map<String, Object> objectValue;

    private NodeInfo(Builder b, List<PodInfo> pods) {
        this.name = Objects.requireNonNull(b.name, "name");
        this.labels = Map.copyOf(b.labels);
        this.taints = List.copyOf(b.taints);
        this.unschedulable = b.unschedulable;
        this.allocatable = b.allocatable;
        this.allowedPods = b.allowedPods;
        this.object = b.object;
        this.pods = pods;
        Resources sum = Resources.ZERO;
        long cpu = 0;
        long memory = 0;
        List<PodInfo> affinity = null;
        List<PodInfo> antiAffinity = null;
        for (PodInfo pod : pods) {
            sum = sum.plus(pod.requests());
            cpu += pod.nonZeroMilliCpu();
            memory += pod.nonZeroMemory();
            if (pod.hasPodAffinity()) {
                affinity = affinity == null ? new ArrayList<>() : affinity;
                affinity.add(pod);
                if (!pod.requiredAntiAffinity().isEmpty()) {
                    antiAffinity = antiAffinity == null ? new ArrayList<>() : antiAffinity;
                    antiAffinity.add(pod);
                }
            }
        }
        this.requested = sum;
        this.nonZeroMilliCpu = cpu;
        this.nonZeroMemory = memory;
        this.podsWithAffinity = affinity == null ? List.of() : Collections.unmodifiableList(affinity);
        this.podsWithRequiredAntiAffinity = antiAffinity == null ? List.of() : Collections.unmodifiableList(antiAffinity);
    }

    /** The same node (labels, taints, allocatable) with other pods. */
    private NodeInfo(NodeInfo node, List<PodInfo> pods, Resources requested, long nonZeroMilliCpu, long nonZeroMemory) {
        this.name = node.name;
        this.labels = node.labels;
        this.taints = node.taints;
        this.unschedulable = node.unschedulable;
        this.allocatable = node.allocatable;
        this.allowedPods = node.allowedPods;
        this.object = node.object;
        this.objectValue = node.objectValue;
        this.pods = pods;
        this.requested = requested;
        this.nonZeroMilliCpu = nonZeroMilliCpu;
        this.nonZeroMemory = nonZeroMemory;
        List<PodInfo> affinity = new ArrayList<>();
        List<PodInfo> antiAffinity = new ArrayList<>();
        for (PodInfo pod : pods) {
            if (pod.hasPodAffinity()) {
                affinity.add(pod);
                if (!pod.requiredAntiAffinity().isEmpty()) {
                    antiAffinity.add(pod);
                }
            }
        }
        this.podsWithAffinity = affinity.isEmpty() ? List.of() : Collections.unmodifiableList(affinity);
        this.podsWithRequiredAntiAffinity = antiAffinity.isEmpty() ? List.of() : Collections.unmodifiableList(antiAffinity);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder with this node's own values (not its pods). */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.labels = labels;
        b.taints = taints;
        b.unschedulable = unschedulable;
        b.allocatable = allocatable;
        b.allowedPods = allowedPods;
        b.object = object;
        return b;
    }

    /** This node with one more pod. */
    public NodeInfo withPod(PodInfo pod) {
        List<PodInfo> more = new ArrayList<>(pods.size() + 1);
        more.addAll(pods);
        more.add(pod);
        return new NodeInfo(this, Collections.unmodifiableList(more), requested.plus(pod.requests()),
                nonZeroMilliCpu + pod.nonZeroMilliCpu(), nonZeroMemory + pod.nonZeroMemory());
    }

    /** This node without the pod of that uid (itself if there is none). */
    public NodeInfo withoutPod(String uid) {
        List<PodInfo> fewer = new ArrayList<>(pods.size());
        PodInfo removed = null;
        for (PodInfo pod : pods) {
            if (removed == null && pod.uid().equals(uid)) {
                removed = pod;
            } else {
                fewer.add(pod);
            }
        }
        if (removed == null) {
            return this;
        }
        return new NodeInfo(this, Collections.unmodifiableList(fewer), requested.minus(removed.requests()),
                nonZeroMilliCpu - removed.nonZeroMilliCpu(), nonZeroMemory - removed.nonZeroMemory());
    }

    public String name() {
        return name;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public List<Taint> taints() {
        return taints;
    }

    /** {@code spec.unschedulable} (cordoned). */
    public boolean unschedulable() {
        return unschedulable;
    }

    /** {@code status.allocatable} (without the pod count). */
    public Resources allocatable() {
        return allocatable;
    }

    /** {@code status.allocatable.pods}. */
    public long allowedPods() {
        return allowedPods;
    }

    /** The pods on the node: bound, and assumed. */
    public List<PodInfo> pods() {
        return pods;
    }

    /** The sum of the pods' requests. */
    public Resources requested() {
        return requested;
    }

    /** The sum of the pods' CPU requests for scoring ({@link PodInfo#nonZeroMilliCpu()}). */
    public long nonZeroRequestedMilliCpu() {
        return nonZeroMilliCpu;
    }

    /** The sum of the pods' memory requests for scoring ({@link PodInfo#nonZeroMemory()}). */
    public long nonZeroRequestedMemory() {
        return nonZeroMemory;
    }

    /** The pods on the node with any pod affinity or anti-affinity. */
    public List<PodInfo> podsWithAffinity() {
        return podsWithAffinity;
    }

    /** The pods on the node with required pod anti-affinity. */
    public List<PodInfo> podsWithRequiredAntiAffinity() {
        return podsWithRequiredAntiAffinity;
    }

    /** The whole Node as a read-only JSON tree, built on first use. */
    public Map<String, Object> object() {
        Map<String, Object> value = objectValue;
        if (value == null) {
            value = object == null ? Map.of() : object.get();
            objectValue = value;
        }
        return value;
    }

    @Override
    public String toString() {
        return name;
    }

    /** Builds a {@link NodeInfo}. */
    public static final class Builder {
        private final String name;
        private Map<String, String> labels = Map.of();
        private List<Taint> taints = List.of();
        private boolean unschedulable;
        private Resources allocatable = Resources.ZERO;
        private long allowedPods = 110;
        private List<PodInfo> pods = List.of();
        private Supplier<Map<String, Object>> object;

        private Builder(String name) {
            this.name = name;
        }

        public Builder labels(Map<String, String> value) {
            labels = value;
            return this;
        }

        public Builder taints(List<Taint> value) {
            taints = value;
            return this;
        }

        public Builder unschedulable(boolean value) {
            unschedulable = value;
            return this;
        }

        public Builder allocatable(Resources value) {
            allocatable = Objects.requireNonNull(value);
            return this;
        }

        public Builder allowedPods(long value) {
            allowedPods = value;
            return this;
        }

        public Builder pods(List<PodInfo> value) {
            pods = value;
            return this;
        }

        public Builder object(Supplier<Map<String, Object>> value) {
            object = value;
            return this;
        }

        public NodeInfo build() {
            return new NodeInfo(this, List.copyOf(pods));
        }
    }
}
