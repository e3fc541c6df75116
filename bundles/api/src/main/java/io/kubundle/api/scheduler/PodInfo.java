package io.kubundle.api.scheduler;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A pod as the scheduler sees it: what scheduling needs, parsed once; the rest in
 * {@link #object()}. Immutable; built by the scheduler (and by tests with {@link #builder}).
 */
public final class PodInfo {
    /** The CPU a container without a CPU request counts as when scoring (Kubernetes' 100m). */
    public static final long DEFAULT_MILLI_CPU_REQUEST = 100;
    /** The memory a container without a memory request counts as when scoring (Kubernetes' 200 MiB). */
    public static final long DEFAULT_MEMORY_REQUEST = 200L * 1024 * 1024;

    private final String namespace;
    private final String name;
    private final String uid;
    private final Map<String, String> labels;
    private final Map<String, String> annotations;
    private final String schedulerName;
    private final String nodeName;
    private final int priority;
    private final Resources requests;
    private final long nonZeroMilliCpu;
    private final long nonZeroMemory;
    private final Map<String, String> nodeSelector;
    private final NodeAffinity nodeAffinity;
    private final List<PodAffinityTerm> requiredAffinity;
    private final List<PodAffinityTerm.Weighted> preferredAffinity;
    private final List<PodAffinityTerm> requiredAntiAffinity;
    private final List<PodAffinityTerm.Weighted> preferredAntiAffinity;
    private final List<Toleration> tolerations;
    private final List<TopologySpreadConstraint> topologySpreadConstraints;
    private final OwnerRef controller;
    private final Supplier<Map<String, Object>> object;
    private volatile Map<String, Object> objectValue;

    private PodInfo(Builder b) {
        this.namespace = Objects.requireNonNull(b.namespace, "namespace");
        this.name = Objects.requireNonNull(b.name, "name");
        this.uid = b.uid == null ? namespace + "/" + name : b.uid;
        this.labels = Map.copyOf(b.labels);
        this.annotations = Map.copyOf(b.annotations);
        this.schedulerName = b.schedulerName;
        this.nodeName = b.nodeName == null ? "" : b.nodeName;
        this.priority = b.priority;
        this.requests = b.requests;
        this.nonZeroMilliCpu = b.nonZeroMilliCpu < 0 ? (requests.milliCpu() == 0 ? DEFAULT_MILLI_CPU_REQUEST : requests.milliCpu())
                : b.nonZeroMilliCpu;
        this.nonZeroMemory = b.nonZeroMemory < 0 ? (requests.memory() == 0 ? DEFAULT_MEMORY_REQUEST : requests.memory()) : b.nonZeroMemory;
        this.nodeSelector = Map.copyOf(b.nodeSelector);
        this.nodeAffinity = b.nodeAffinity;
        this.requiredAffinity = List.copyOf(b.requiredAffinity);
        this.preferredAffinity = List.copyOf(b.preferredAffinity);
        this.requiredAntiAffinity = List.copyOf(b.requiredAntiAffinity);
        this.preferredAntiAffinity = List.copyOf(b.preferredAntiAffinity);
        this.tolerations = List.copyOf(b.tolerations);
        this.topologySpreadConstraints = List.copyOf(b.topologySpreadConstraints);
        this.controller = b.controller;
        this.object = b.object;
    }

    public static Builder builder(String namespace, String name) {
        return new Builder(namespace, name);
    }

    /** A builder holding this pod's values (to change one, such as the node). */
    public Builder toBuilder() {
        Builder b = new Builder(namespace, name);
        b.uid = uid;
        b.labels = labels;
        b.annotations = annotations;
        b.schedulerName = schedulerName;
        b.nodeName = nodeName;
        b.priority = priority;
        b.requests = requests;
        b.nonZeroMilliCpu = nonZeroMilliCpu;
        b.nonZeroMemory = nonZeroMemory;
        b.nodeSelector = nodeSelector;
        b.nodeAffinity = nodeAffinity;
        b.requiredAffinity = requiredAffinity;
        b.preferredAffinity = preferredAffinity;
        b.requiredAntiAffinity = requiredAntiAffinity;
        b.preferredAntiAffinity = preferredAntiAffinity;
        b.tolerations = tolerations;
        b.topologySpreadConstraints = topologySpreadConstraints;
        b.controller = controller;
        b.object = object;
        return b;
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    public String uid() {
        return uid;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public Map<String, String> annotations() {
        return annotations;
    }

    /** {@code spec.schedulerName}: the profile that schedules the pod. */
    public String schedulerName() {
        return schedulerName;
    }

    /** {@code spec.nodeName}: empty until the pod is bound (or assumed). */
    public String nodeName() {
        return nodeName;
    }

    /** {@code spec.priority} (0 when unset). */
    public int priority() {
        return priority;
    }

    /**
     * What the pod requests, as Kubernetes computes it: the sum of its containers' requests, at
     * least the largest init container's, plus the pod's overhead.
     */
    public Resources requests() {
        return requests;
    }

    /** The CPU request for scoring: containers without one count as {@link #DEFAULT_MILLI_CPU_REQUEST}. */
    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    /** The memory request for scoring: containers without one count as {@link #DEFAULT_MEMORY_REQUEST}. */
    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    /** {@code spec.nodeSelector}. */
    public Map<String, String> nodeSelector() {
        return nodeSelector;
    }

    /** {@code spec.affinity.nodeAffinity}, {@link NodeAffinity#NONE} when absent. */
    public NodeAffinity nodeAffinity() {
        return nodeAffinity;
    }

    /** {@code spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution}. */
    public List<PodAffinityTerm> requiredAffinity() {
        return requiredAffinity;
    }

    public List<PodAffinityTerm.Weighted> preferredAffinity() {
        return preferredAffinity;
    }

    /** {@code spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution}. */
    public List<PodAffinityTerm> requiredAntiAffinity() {
        return requiredAntiAffinity;
    }

    public List<PodAffinityTerm.Weighted> preferredAntiAffinity() {
        return preferredAntiAffinity;
    }

    /** Whether the pod has any pod affinity or anti-affinity term. */
    public boolean hasPodAffinity() {
        return !requiredAffinity.isEmpty() || !preferredAffinity.isEmpty() || !requiredAntiAffinity.isEmpty()
                || !preferredAntiAffinity.isEmpty();
    }

    public List<Toleration> tolerations() {
        return tolerations;
    }

    public List<TopologySpreadConstraint> topologySpreadConstraints() {
        return topologySpreadConstraints;
    }

    /** The pod's controller (a ReplicaSet, StatefulSet, Job...), or null. */
    public OwnerRef controller() {
        return controller;
    }

    /** The whole pod as a read-only JSON tree (maps, lists, strings, numbers, booleans), built on first use. */
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
        return namespace + "/" + name;
    }

    /** Builds a {@link PodInfo}; unset lists and maps are empty. */
    public static final class Builder {
        private final String namespace;
        private final String name;
        private String uid;
        private Map<String, String> labels = Map.of();
        private Map<String, String> annotations = Map.of();
        private String schedulerName = "default-scheduler";
        private String nodeName;
        private int priority;
        private Resources requests = Resources.ZERO;
        private long nonZeroMilliCpu = -1;
        private long nonZeroMemory = -1;
        private Map<String, String> nodeSelector = Map.of();
        private NodeAffinity nodeAffinity = NodeAffinity.NONE;
        private List<PodAffinityTerm> requiredAffinity = List.of();
        private List<PodAffinityTerm.Weighted> preferredAffinity = List.of();
        private List<PodAffinityTerm> requiredAntiAffinity = List.of();
        private List<PodAffinityTerm.Weighted> preferredAntiAffinity = List.of();
        private List<Toleration> tolerations = List.of();
        private List<TopologySpreadConstraint> topologySpreadConstraints = List.of();
        private OwnerRef controller;
        private Supplier<Map<String, Object>> object;

        private Builder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        public Builder uid(String value) {
            uid = value;
            return this;
        }

        public Builder labels(Map<String, String> value) {
            labels = value;
            return this;
        }

        public Builder annotations(Map<String, String> value) {
            annotations = value;
            return this;
        }

        public Builder schedulerName(String value) {
            schedulerName = value;
            return this;
        }

        public Builder nodeName(String value) {
            nodeName = value;
            return this;
        }

        public Builder priority(int value) {
            priority = value;
            return this;
        }

        public Builder requests(Resources value) {
            requests = Objects.requireNonNull(value);
            return this;
        }

        /** The requests for scoring; by default the requests, with 100m CPU and 200 MiB for a zero request. */
        public Builder nonZeroRequests(long milliCpu, long memory) {
            nonZeroMilliCpu = milliCpu;
            nonZeroMemory = memory;
            return this;
        }

        public Builder nodeSelector(Map<String, String> value) {
            nodeSelector = value;
            return this;
        }

        public Builder nodeAffinity(NodeAffinity value) {
            nodeAffinity = value == null ? NodeAffinity.NONE : value;
            return this;
        }

        public Builder podAffinity(List<PodAffinityTerm> required, List<PodAffinityTerm.Weighted> preferred) {
            requiredAffinity = required == null ? List.of() : required;
            preferredAffinity = preferred == null ? List.of() : preferred;
            return this;
        }

        public Builder podAntiAffinity(List<PodAffinityTerm> required, List<PodAffinityTerm.Weighted> preferred) {
            requiredAntiAffinity = required == null ? List.of() : required;
            preferredAntiAffinity = preferred == null ? List.of() : preferred;
            return this;
        }

        public Builder tolerations(List<Toleration> value) {
            tolerations = value;
            return this;
        }

        public Builder topologySpreadConstraints(List<TopologySpreadConstraint> value) {
            topologySpreadConstraints = value;
            return this;
        }

        public Builder controller(OwnerRef value) {
            controller = value;
            return this;
        }

        /** The whole object, computed when a plugin first asks for it. */
        public Builder object(Supplier<Map<String, Object>> value) {
            object = value;
            return this;
        }

        public PodInfo build() {
            return new PodInfo(this);
        }
    }
}
