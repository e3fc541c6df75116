package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxStatus;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Kinds;
import io.kubundle.kubelet.internal.server.KubeletServer;
import io.kubundle.kubelet.internal.server.PodContainers;

/**
 * The node agent while it runs: registers and heartbeats the Node, watches the pods bound to it,
 * one worker per pod at a time syncing them ({@link PodSyncer}), relists the runtimes every second
 * to notice containers that exit, and serves logs and exec to the API server. Closing it stops all
 * that and leaves the containers running: the next instance adopts them.
 */
final class Kubelet implements ControllerHost.Controller, PodContainers {
    private static final System.Logger LOG = System.getLogger(Kubelet.class.getName());
    static final ResourceKind<Secret> SECRETS = ResourceKind.of("v1", "Secret", "secrets", true, Secret.class);
    private static final int WORKERS = 8;

    private final KubeClient client;
    private final NodeSettings settings;
    private final NodeAgent.Registration registration;
    private final Plugins plugins;
    private final ServingTls tls;
    private final String bindAddress;
    private final Duration heartbeatPeriod;
    private final LogRotation logRotation;
    private final RuntimeSnapshot snapshot = new RuntimeSnapshot();
    private final WorkQueue<String> queue = new WorkQueue<>("kubelet-pods");
    private final ScheduledExecutorService timers;
    private final ControllerLoop loop;
    private Informer<Pod> podInformer;
    private NodeAgent agent;
    private PodSyncer syncer;
    private Probers probers;
    private KubeletServer server;

    Kubelet(KubeClient client, NodeSettings settings, NodeAgent.Registration registration, Plugins plugins,
            ServingTls tls, String bindAddress, Duration heartbeatPeriod, LogRotation logRotation) {
        this.client = client;
        this.settings = settings;
        this.registration = registration;
        this.plugins = plugins;
        this.tls = tls;
        this.bindAddress = bindAddress;
        this.heartbeatPeriod = heartbeatPeriod;
        this.logRotation = logRotation;
        AtomicInteger count = new AtomicInteger();
        this.timers = Executors.newScheduledThreadPool(3, runnable -> {
            Thread thread = new Thread(runnable, "kubelet-timer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.loop = new ControllerLoop("kubelet-pods", queue, this::syncPod, 1_000_000);
    }

    @Override
    public void start() throws Exception {
        ResourceClient<Pod> pods = client.resources(Kinds.PODS);
        ResourceClient<ConfigMap> configMaps = client.resources(Kinds.CONFIG_MAPS);
        ResourceClient<Secret> secrets = client.resources(SECRETS);
        ObjectLookup lookup = new ObjectLookup() {
            @Override
            public Optional<ConfigMap> configMap(String namespace, String name) throws IOException {
                return find(() -> configMaps.find(namespace, name));
            }

            @Override
            public Optional<Secret> secret(String namespace, String name) throws IOException {
                return find(() -> secrets.find(namespace, name));
            }

            private final ResourceClient<PersistentVolumeClaim> claims = client.resources(Kinds.PERSISTENT_VOLUME_CLAIMS);
            private final ResourceClient<PersistentVolume> volumes = client.resources(Kinds.PERSISTENT_VOLUMES);

            @Override
            public Optional<PersistentVolumeClaim> persistentVolumeClaim(String namespace, String name) throws IOException {
                return find(() -> claims.find(namespace, name));
            }

            @Override
            public Optional<PersistentVolume> persistentVolume(String name) throws IOException {
                return find(() -> volumes.find(null, name));
            }
        };
        EventRecorder events = new EventRecorder(client, "kubelet");
        probers = new Probers(timers, this::enqueue, failure -> podInformer.get(failure.podKey()).ifPresent(pod ->
                events.warning(pod, "Unhealthy", kindName(failure.kind()) + " probe failed: " + failure.message())));
        startServer();
        // the Node names the port the server got (a configured 0 picks a free one)
        NodeAgent.Registration registered = server == null ? registration : registration.withPort(server.port());
        agent = new NodeAgent(settings, HostFacts.read(settings.rootDir()), registered, plugins, client.resources(Kinds.NODES),
                client.resources(Kinds.LEASES), client.json());
        syncer = new PodSyncer(settings, agent::network, plugins, snapshot, probers, pods, lookup, events, client.json());
        agent.register();
        syncer.setAllocatable(agent.allocatableCpuMillis(), agent.allocatableMemoryBytes());
        snapshot.relist(plugins.runtimes()); // adopt what runs before any worker looks at a pod
        podInformer = new Informer<>(pods, null, ListOptions.fields("spec.nodeName=" + settings.nodeName()), Duration.ZERO);
        podInformer.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                enqueue(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                enqueue(newPod);
            }

            @Override
            public void onDelete(Pod pod) {
                enqueue(pod);
            }
        });
        podInformer.start();
        if (!podInformer.awaitSynced(Duration.ofSeconds(60))) {
            throw new IOException("the pods of node " + settings.nodeName() + " did not list within 60 s");
        }
        loop.start(WORKERS);
        snapshot.sandboxes().forEach(sandbox -> queue.add(sandbox.podKey()));
        timers.scheduleWithFixedDelay(this::relist, 1, 1, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(this::rotateLogs, 10, 10, TimeUnit.SECONDS);
        timers.scheduleWithFixedDelay(this::heartbeat, heartbeatPeriod.toMillis(), heartbeatPeriod.toMillis(), TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "kubelet of node {0} runs ({1} pods bound, {2} sandboxes found)", settings.nodeName(),
                podInformer.list().size(), snapshot.sandboxes().size());
    }

    private interface Lookup<T> {
        Optional<T> get() throws IOException, ApiStatusException;
    }

    private static <T> Optional<T> find(Lookup<T> lookup) throws IOException {
        try {
            return lookup.get();
        } catch (ApiStatusException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static String kindName(Probers.Kind kind) {
        return switch (kind) {
            case LIVENESS -> "Liveness";
            case READINESS -> "Readiness";
            case STARTUP -> "Startup";
        };
    }

    private void startServer() throws IOException, InterruptedException {
        if (tls == null) {
            LOG.log(System.Logger.Level.WARNING, "no serving certificate (no cluster CA in this process and no tlsCertFile):"
                    + " kubectl logs and exec are not served");
            return;
        }
        server = new KubeletServer(bindAddress, registration.kubeletPort(), tls.key(), tls.chain(), tls.clientCa(), this);
    }

    private void enqueue(Pod pod) {
        enqueue(ObjectKey.of(pod.getMetadata().getNamespace(), pod.getMetadata().getName()));
    }

    private void enqueue(String key) {
        queue.add(key);
    }

    private Duration syncPod(String key) throws Exception {
        int slash = key.indexOf('/');
        Pod pod = podInformer.get(key).orElse(null);
        return syncer.sync(key.substring(0, slash), key.substring(slash + 1), pod);
    }

    private void relist() {
        try {
            Set<String> changed = snapshot.relist(plugins.runtimes());
            changed.forEach(this::enqueue);
            Set<String> known = new HashSet<>();
            for (RuntimeSnapshot.Sandbox sandbox : snapshot.sandboxes()) {
                String key = sandbox.podKey();
                Optional<Pod> pod = podInformer.get(key);
                if (pod.isEmpty() || !pod.get().getMetadata().getUid().equals(sandbox.status().config().uid())) {
                    enqueue(key); // a pod deleted while no kubelet watched: its sandbox goes
                }
                known.add(sandbox.status().config().uid());
            }
            podInformer.list().forEach(pod -> known.add(pod.getMetadata().getUid()));
            syncer.retainPods(known);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "relist failed", e);
        }
    }

    private void rotateLogs() {
        Instant now = Instant.now();
        for (ContainerStatus container : snapshot.containers()) {
            if (container.state() == io.kubundle.api.runtime.ContainerState.RUNNING && container.logPath() != null) {
                try {
                    logRotation.rotate(Path.of(container.logPath()), now);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "rotating " + container.logPath() + ": " + e.getMessage());
                }
            }
        }
    }

    private void heartbeat() {
        try {
            boolean networkWasReady = agent.networkProblem().isEmpty();
            agent.heartbeat();
            if (!networkWasReady && agent.networkProblem().isEmpty()) {
                podInformer.list().forEach(this::enqueue); // pods waiting for the network go on
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "node heartbeat failed: " + e.getMessage());
        }
    }

    /** Looks at every pod again, after a plugin came or went. */
    void resyncAll() {
        if (podInformer != null) {
            podInformer.list().forEach(this::enqueue);
            timers.execute(this::heartbeat);
        }
    }

    @Override
    public Optional<LocatedContainer> find(String namespace, String pod, String container, boolean previous) {
        Optional<Pod> current = podInformer.get(namespace, pod);
        // asked of the runtimes, not the last relist: a pod that just started is there too
        for (ContainerRuntime runtime : plugins.runtimes()) {
            try {
                for (SandboxStatus sandbox : runtime.listSandboxes()) {
                    if (!sandbox.config().namespace().equals(namespace) || !sandbox.config().name().equals(pod)
                            || current.isPresent() && !current.get().getMetadata().getUid().equals(sandbox.config().uid())) {
                        continue;
                    }
                    List<ContainerStatus> attempts = runtime.listContainers().stream()
                            .filter(c -> c.sandboxId().equals(sandbox.id()) && c.name().equals(container))
                            .sorted(Comparator.comparingInt(ContainerStatus::attempt).reversed()).toList();
                    int index = previous ? 1 : 0;
                    if (attempts.size() > index) {
                        ContainerStatus found = attempts.get(index);
                        return Optional.of(new LocatedContainer(found.id(), Path.of(found.logPath()),
                                found.state() == io.kubundle.api.runtime.ContainerState.RUNNING, runtime));
                    }
                }
            } catch (RuntimeFailure e) {
                LOG.log(System.Logger.Level.WARNING, "listing containers of " + runtime.name() + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Port-forward's connection: to the pod's address from the host, which the pod network routes
     * (a server listening only on the pod's 127.0.0.1 is not reached this way).
     */
    @Override
    public SocketChannel connect(String namespace, String pod, int port) throws IOException {
        Pod found = podInformer.get(namespace, pod).orElseThrow(() -> new IOException("pod " + namespace + "/" + pod
                + " is not on node " + settings.nodeName()));
        String address = Boolean.TRUE.equals(found.getSpec().getHostNetwork()) ? "127.0.0.1"
                : found.getStatus() == null ? null : found.getStatus().getPodIP();
        if (address == null || address.isEmpty()) {
            throw new IOException("pod " + namespace + "/" + pod + " has no IP address yet");
        }
        return SocketChannel.open(new InetSocketAddress(address, port));
    }

    @Override
    public void close() {
        timers.shutdownNow();
        loop.close();
        if (server != null) {
            server.close();
        }
        if (probers != null) {
            probers.close();
        }
        if (podInformer != null) {
            podInformer.close();
        }
    }
}
