package io.kubundle.runtime.sim.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.controller.support.Kinds;

/**
 * N simulated kubelets in one process, as kwok runs them: each registers its Node (capacity,
 * addresses, labels; an existing Node keeps its labels, taints and spec), renews its Lease in
 * {@code kube-node-lease} every {@link Settings#leaseRenewSeconds()}, reports its pods Running and
 * Ready, finishes them when they ask to (see {@link SimPods}), and completes the deletion of its
 * pods that are being deleted. A node in {@link #setStopped stopped} does none of that, as a dead
 * or cut-off machine would not; when it comes back it renews its Lease, reports Ready again and
 * removes the pods deleted while it was away.
 */
final class SimulatedNodes implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(SimulatedNodes.class.getName());
    private static final String LEASE_NAMESPACE = "kube-node-lease";
    /** Kubernetes' MicroTime: RFC 3339 with microseconds. */
    private static final java.time.format.DateTimeFormatter MICRO_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

    /**
     * How the nodes look and how often they report; {@code labels} and {@code taints} are added
     * to a Node when it is registered, as the kubelet's {@code --node-labels} and
     * {@code --register-with-taints}.
     */
    record Settings(String prefix, int count, int leaseRenewSeconds, String cpu, String memory, int maxPods, Map<String, String> labels,
            List<Taint> taints) {
        Settings {
            labels = Map.copyOf(labels);
            taints = List.copyOf(taints);
        }
    }

    private final KubeClient client;
    private final Settings settings;
    private final ResourceClient<Node> nodes;
    private final ResourceClient<Lease> leases;
    private final ResourceClient<Pod> pods;
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();
    private final WorkQueue<String> queue = new WorkQueue<>("sim-pods");
    private final ControllerLoop loop;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sim-nodes-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    /**
     * Calls in flight at once, for registering, heartbeats and pod reports: each call mostly waits
     * for the API server's commit, so a handful of threads per core keeps thousands of nodes current.
     */
    private static final int CONCURRENT_CALLS = 16;
    private final ExecutorService writers = Executors.newFixedThreadPool(CONCURRENT_CALLS, runnable -> {
        Thread thread = new Thread(runnable, "sim-nodes-writer");
        thread.setDaemon(true);
        return thread;
    });
    private Informer<Pod> podInformer;

    SimulatedNodes(KubeClient client, Settings settings, Set<String> initiallyStopped) {
        this.client = client;
        this.settings = settings;
        this.nodes = client.resources(Kinds.NODES);
        this.leases = client.resources(Kinds.LEASES);
        this.pods = client.resources(Kinds.PODS);
        initiallyStopped.stream().filter(this::owns).forEach(this.stopped::add);
        this.loop = new ControllerLoop("sim-pods", queue, this::reconcilePod, 10);
    }

    String nodeName(int index) {
        return settings.prefix() + "-" + index;
    }

    /** Whether the node is one of ours. */
    boolean owns(String nodeName) {
        if (nodeName == null || !nodeName.startsWith(settings.prefix() + "-")) {
            return false;
        }
        try {
            int index = Integer.parseInt(nodeName.substring(settings.prefix().length() + 1));
            return index >= 0 && index < settings.count() && nodeName(index).equals(nodeName);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public void start() throws Exception {
        List<Future<?>> registrations = new ArrayList<>();
        for (int i = 0; i < settings.count(); i++) {
            String name = nodeName(i);
            registrations.add(writers.submit(() -> {
                register(name);
                return null;
            }));
        }
        for (Future<?> registration : registrations) {
            registration.get();
        }
        podInformer = new Informer<>(pods, Duration.ZERO);
        podInformer.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueue(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                enqueue(newPod);
            }
        });
        podInformer.start();
        if (!podInformer.awaitSynced(Duration.ofSeconds(60))) {
            throw new IOException("the pods did not list within 60 s");
        }
        loop.start(CONCURRENT_CALLS);
        heartbeats.scheduleWithFixedDelay(this::renewLeases, settings.leaseRenewSeconds(), settings.leaseRenewSeconds(), TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "{0} simulated nodes {1}-0..{1}-{2} registered", settings.count(), settings.prefix(),
                settings.count() - 1);
    }

    private void enqueue(Pod pod) {
        if (owns(pod.getSpec().getNodeName())) {
            queue.add(ObjectKey.of(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
        }
    }

    /**
     * Stops or restarts nodes: a stopped node neither heartbeats nor reports its pods. Names that
     * are not ours are ignored: the list is shared by every sim-nodes process of an installation.
     */
    void setStopped(Set<String> names) {
        Set<String> ours = names.stream().filter(this::owns).collect(java.util.stream.Collectors.toSet());
        Set<String> restarted = new java.util.HashSet<>(stopped);
        restarted.removeAll(ours);
        stopped.clear();
        stopped.addAll(ours);
        for (String name : restarted) {
            writers.submit(() -> {
                try {
                    renew(name);
                    reportReady(name);
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "node " + name + " could not report after its restart: " + e.getMessage());
                }
                // whatever happened to its pods while it was away is looked at again
                if (podInformer != null) {
                    podInformer.list().stream().filter(pod -> name.equals(pod.getSpec().getNodeName())).forEach(this::enqueue);
                }
            });
        }
    }

    Set<String> stopped() {
        return Set.copyOf(stopped);
    }

    /** Creates the Node, reports it Ready and creates its Lease: three calls for a new node, as a kubelet makes them. */
    private void register(String name) throws IOException, ApiStatusException {
        String uid;
        try {
            uid = nodes.create(newNode(name, settings)).getMetadata().getUid();
        } catch (ApiStatusException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            uid = null; // registered by an earlier run: its Lease may exist too
        }
        if (!stopped.contains(name)) {
            reportReady(name);
            try {
                if (uid == null) {
                    renew(name);
                } else {
                    createLease(name, uid);
                }
            } catch (ApiStatusException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
                renew(name); // a Lease left from a Node of the same name, not yet collected
            }
        }
    }

    /** The Node a simulated node registers: the kubelet's labels, then the settings' labels and taints. */
    static Node newNode(String name, Settings settings) {
        Map<String, String> labels = new java.util.LinkedHashMap<>(Map.of("kubernetes.io/hostname", name, "kubernetes.io/os", "linux",
                "kubernetes.io/arch", "amd64", "node.kubundle.io/simulated", "true"));
        labels.putAll(settings.labels());
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withTaints(settings.taints().isEmpty() ? null : settings.taints()).endSpec().build();
    }

    private String hostIp(String name) {
        int index = Integer.parseInt(name.substring(settings.prefix().length() + 1));
        // documentation-only addresses (RFC 5737 has none this large; 198.18.0.0/15 is for benchmarks)
        return "198.18." + (index / 250) + "." + (index % 250 + 1);
    }

    private void reportReady(String name) throws IOException, ApiStatusException {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity(settings.cpu()), "memory", new Quantity(settings.memory()),
                "pods", new Quantity(Integer.toString(settings.maxPods())), "ephemeral-storage", new Quantity("100Gi"));
        List<NodeCondition> conditions = List.of(
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", now),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", now),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", now),
                condition("Ready", "True", "KubeletReady", now));
        NodeStatus status = new NodeStatusBuilder().withCapacity(capacity).withAllocatable(capacity).withConditions(conditions)
                .addNewAddress().withType("InternalIP").withAddress(hostIp(name)).endAddress()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress()
                .withNewNodeInfo().withKubeletVersion("v1.32.0-kubundle-sim").withKubeProxyVersion("v1.32.0-kubundle-sim")
                .withContainerRuntimeVersion("sim://1.0").withOperatingSystem("linux").withArchitecture("amd64")
                .withOsImage("Kubundle simulated node").withKernelVersion("sim").withMachineID(name).withSystemUUID(name)
                .withBootID(name).endNodeInfo().build();
        nodes.patch(null, name, PatchType.MERGE, client.json().createObjectNode().set("status", client.json().valueToTree(status)),
                "status");
    }

    private static NodeCondition condition(String type, String status, String reason, String now) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withLastHeartbeatTime(now)
                .withLastTransitionTime(now).build();
    }

    private void renewLeases() {
        for (int i = 0; i < settings.count(); i++) {
            String name = nodeName(i);
            if (stopped.contains(name)) {
                continue;
            }
            writers.submit(() -> {
                try {
                    renew(name);
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.DEBUG, "lease of {0} not renewed: {1}", name, e.toString());
                }
            });
        }
    }

    private void renew(String name) throws IOException, ApiStatusException {
        try {
            leases.patch(LEASE_NAMESPACE, name, PatchType.MERGE, "{\"spec\":{\"renewTime\":\"" + MICRO_TIME.format(now()) + "\"}}");
        } catch (ApiStatusException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            createLease(name, nodes.get(null, name).getMetadata().getUid());
        }
    }

    private static java.time.ZonedDateTime now() {
        return java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    /** The node's Lease, owned by its Node so that it goes when the Node does. */
    private void createLease(String name, String nodeUid) throws IOException, ApiStatusException {
        leases.create(new LeaseBuilder().withNewMetadata().withName(name).withNamespace(LEASE_NAMESPACE)
                .addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(name).withUid(nodeUid)
                .endOwnerReference().endMetadata()
                .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40).withRenewTime(now()).endSpec().build());
    }

    private Duration reconcilePod(String key) throws Exception {
        Pod pod = podInformer.get(key).orElse(null);
        if (pod == null || !owns(pod.getSpec().getNodeName()) || stopped.contains(pod.getSpec().getNodeName())) {
            return Duration.ZERO;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            // the containers are stopped at once: the deletion the API server waits for completes
            pods.delete(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    DeleteOptions.gracePeriod(0).withPreconditionUid(pod.getMetadata().getUid()));
            return Duration.ZERO;
        }
        String node = pod.getSpec().getNodeName();
        SimPods.Step step = SimPods.next(pod, hostIp(node), podIp(pod), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        if (step instanceof SimPods.Report report) {
            pods.patch(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), PatchType.MERGE,
                    client.json().createObjectNode().set("status", client.json().valueToTree(report.status())), "status");
            return Duration.ZERO;
        }
        if (step instanceof SimPods.Later later) {
            return later.delay();
        }
        return Duration.ZERO;
    }

    /** A pod address that is only data (nothing listens on it): 10.128.0.0/9, a /24 per node. */
    private String podIp(Pod pod) {
        int hash = Math.abs(pod.getMetadata().getUid().hashCode());
        int index = Integer.parseInt(pod.getSpec().getNodeName().substring(settings.prefix().length() + 1));
        return "10." + (128 + index / 256 % 128) + "." + (index % 256) + "." + (hash % 253 + 2);
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        loop.close();
        if (podInformer != null) {
            podInformer.close();
        }
        writers.shutdownNow();
    }
}
