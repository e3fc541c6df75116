package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.NodeNetwork;
import io.kubundle.api.network.PodNetwork;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;

/**
 * The node's side of the Node object, as the kubelet keeps it: registers the Node (labels,
 * taints), reports its capacity, addresses, conditions and daemon endpoint, renews its Lease, and
 * hands the pod CIDR the node IPAM controller gave it to the network plugin.
 */
final class NodeAgent {
    private static final System.Logger LOG = System.getLogger(NodeAgent.class.getName());
    static final String LEASE_NAMESPACE = "kube-node-lease";
    private static final DateTimeFormatter MICRO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");
    static final String KUBELET_VERSION = "v1.32.0-kubundle";

    /** The Node's annotation naming the network plugin this node's new pods are wired with. */
    static final String POD_NETWORK_ANNOTATION = "kubundle.io/pod-network";

    /** What the node registers with, beside what it reads off the host. */
    record Registration(Map<String, String> labels, List<Taint> taints, int maxPods, int kubeletPort) {
        Registration {
            labels = Map.copyOf(labels);
            taints = List.copyOf(taints);
        }

        Registration withPort(int port) {
            return new Registration(labels, taints, maxPods, port);
        }
    }

    private final NodeSettings settings;
    private final HostFacts host;
    private final Registration registration;
    private final Plugins plugins;
    private final ResourceClient<Node> nodes;
    private final ResourceClient<Lease> leases;
    private final ObjectMapper json;
    private volatile String podCidr;
    private String configured;
    private final Map<String, String[]> transitions = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String lastStatus;
    private volatile String announcedRuntime;
    private volatile Instant lastStatusAt = Instant.EPOCH;

    NodeAgent(NodeSettings settings, HostFacts host, Registration registration, Plugins plugins, ResourceClient<Node> nodes,
            ResourceClient<Lease> leases, ObjectMapper json) {
        this.settings = settings;
        this.host = host;
        this.registration = registration;
        this.plugins = plugins;
        this.nodes = nodes;
        this.leases = leases;
        this.json = json;
    }

    /** Creates the Node unless it exists (an existing Node keeps its labels, taints and spec), then reports. */
    void register() throws IOException, ApiStatusException {
        Map<String, String> labels = new LinkedHashMap<>(Map.of("kubernetes.io/hostname", settings.nodeName(), "kubernetes.io/os",
                "linux", "kubernetes.io/arch", "amd64", "beta.kubernetes.io/os", "linux", "beta.kubernetes.io/arch", "amd64"));
        labels.putAll(registration.labels());
        try {
            nodes.create(new NodeBuilder().withNewMetadata().withName(settings.nodeName()).withLabels(labels).endMetadata()
                    .withNewSpec().withTaints(registration.taints().isEmpty() ? null : registration.taints()).endSpec().build());
            LOG.log(System.Logger.Level.INFO, "registered node {0} ({1})", settings.nodeName(), settings.nodeIp());
        } catch (ApiStatusException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
        }
        // which network plugin new pods get, for admins swapping it (and to tell that a restarted kubelet took the change)
        ObjectNode annotations = json.createObjectNode();
        annotations.putObject("metadata").putObject("annotations").put(POD_NETWORK_ANNOTATION, plugins.preferredNetwork());
        nodes.patch(null, settings.nodeName(), PatchType.MERGE, annotations);
        heartbeat();
    }

    long allocatableCpuMillis() {
        return host.cpus() * 1000L;
    }

    long allocatableMemoryBytes() {
        return host.memoryBytes();
    }

    /** Renews the Lease, notes the pod CIDR and reports the status when it changed (or every minute). */
    void heartbeat() throws IOException, ApiStatusException {
        renewLease();
        Node node = nodes.get(null, settings.nodeName());
        podCidr = node.getSpec() == null ? null : node.getSpec().getPodCIDR();
        NodeStatus status = status();
        String text = json.valueToTree(withoutTimes(status)).toString();
        if (text.equals(lastStatus) && Instant.now().isBefore(lastStatusAt.plusSeconds(60))) {
            return;
        }
        nodes.patch(null, settings.nodeName(), PatchType.MERGE, json.createObjectNode().set("status", json.valueToTree(status)), "status");
        lastStatus = text;
        lastStatusAt = Instant.now();
    }

    /**
     * Hands the node's pod CIDR to the network plugin new pods use, once per plugin instance and
     * CIDR. Called before a pod's sandbox is made, not at start, so a node that never runs a pod
     * leaves the host's network as it found it (as CNI plugins make their bridge at the first ADD).
     */
    synchronized PodNetwork network() throws NetworkFailure {
        Optional<String> problem = networkProblem();
        if (problem.isPresent()) {
            throw new NetworkFailure(problem.get());
        }
        PodNetwork network = plugins.networkForNewPods().orElseThrow();
        String key = network.name() + "=" + podCidr + "@" + System.identityHashCode(network);
        if (!key.equals(configured)) {
            network.configure(new NodeNetwork(settings.nodeName(), podCidr, settings.clusterCidr()));
            configured = key;
        }
        return network;
    }

    /** Why new pods cannot get a network now, if they cannot. */
    Optional<String> networkProblem() {
        if (plugins.networkForNewPods().isEmpty()) {
            return Optional.of("network plugin is not ready: \"" + plugins.preferredNetwork() + "\" is not installed");
        }
        if (podCidr == null || podCidr.isEmpty()) {
            return Optional.of("network plugin is not ready: the node has no pod CIDR yet");
        }
        return Optional.empty();
    }

    private NodeStatus status() {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity(Integer.toString(host.cpus())),
                "memory", new Quantity(host.memoryBytes() / 1024 + "Ki"),
                "ephemeral-storage", new Quantity(host.diskBytes() / 1024 + "Ki"),
                "pods", new Quantity(Integer.toString(registration.maxPods())));
        String runtimeProblem = plugins.runtimeForNewPods().isPresent() ? null : plugins.runtimeProblem();
        String problem = runtimeProblem != null ? runtimeProblem : networkProblem().orElse(null);
        List<NodeCondition> conditions = List.of(
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                problem == null ? condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now)
                        : condition("Ready", "False", "KubeletNotReady", problem, now));
        String runtimeVersion = plugins.runtimeForNewPods().map(runtime -> runtime.name() + "://kubundle").orElse("none://");
        if (!runtimeVersion.equals(announcedRuntime)) {
            // say which runtime new pods get, as `up` picks runc where it works and native otherwise
            LOG.log(System.Logger.Level.INFO, runtimeProblem == null ? "node {0}: new pods run with the {1} runtime"
                    : "node {0}: no runtime for new pods: {2}", settings.nodeName(), runtimeVersion.replace("://kubundle", ""),
                    runtimeProblem);
            announcedRuntime = runtimeVersion;
        }
        return new NodeStatusBuilder().withCapacity(capacity).withAllocatable(capacity).withConditions(conditions)
                .addNewAddress().withType("InternalIP").withAddress(settings.nodeIp()).endAddress()
                .addNewAddress().withType("Hostname").withAddress(settings.nodeName()).endAddress()
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(registration.kubeletPort()).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNewNodeInfo().withKubeletVersion(KUBELET_VERSION).withKubeProxyVersion(KUBELET_VERSION)
                .withContainerRuntimeVersion(runtimeVersion).withOperatingSystem("linux").withArchitecture("amd64")
                .withOsImage(host.osImage()).withKernelVersion(host.kernelVersion()).withMachineID(host.machineId())
                .withSystemUUID(host.machineId()).withBootID(host.bootId()).endNodeInfo().build();
    }

    /** The status without heartbeat times, to tell whether anything but the time changed. */
    private static NodeStatus withoutTimes(NodeStatus status) {
        NodeStatus copy = new NodeStatusBuilder(status).build();
        copy.setConditions(status.getConditions().stream().map(c -> new NodeConditionBuilder(c).withLastHeartbeatTime(null)
                .withLastTransitionTime(null).build()).toList());
        return copy;
    }

    private NodeCondition condition(String type, String status, String reason, String message, String now) {
        // a condition's transition time moves only when its status does
        String[] last = transitions.compute(type, (key, old) -> old != null && old[0].equals(status) ? old : new String[] {status, now});
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(now).withLastTransitionTime(last[1]).build();
    }

    private void renewLease() throws IOException, ApiStatusException {
        String renewTime = MICRO_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
        try {
            leases.patch(LEASE_NAMESPACE, settings.nodeName(), PatchType.MERGE, "{\"spec\":{\"renewTime\":\"" + renewTime + "\"}}");
        } catch (ApiStatusException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            String uid = nodes.get(null, settings.nodeName()).getMetadata().getUid();
            leases.create(new LeaseBuilder().withNewMetadata().withName(settings.nodeName()).withNamespace(LEASE_NAMESPACE)
                    .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(settings.nodeName()).withUid(uid)
                    .endOwnerReference().endMetadata()
                    .withNewSpec().withHolderIdentity(settings.nodeName()).withLeaseDurationSeconds(40)
                    .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS)).endSpec().build());
        }
    }
}
