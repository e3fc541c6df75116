package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.kubundle.api.dns.ClusterDns;
import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.PodNetwork;
import io.kubundle.api.network.PodRef;
import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ContainerState;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.ImageService;
import io.kubundle.api.runtime.Mount;
import io.kubundle.api.runtime.Resources;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxConfig;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.controller.support.EventRecorder;

/**
 * Drives one pod to its spec, level-triggered: called by the pod's worker (never twice at once
 * for a pod) whenever the pod, its containers or its probes change, and every resync period. Each
 * call makes what is missing (network namespace and address, sandbox, volumes, the next init
 * container, the containers), restarts what the restart policy says with back-off, kills what
 * failed its liveness probe, reports the status, and tears everything down when the pod is
 * deleted or another pod of the same name replaced it. What it finds in the runtimes is the
 * truth, so a restarted kubelet carries on with the containers it started before.
 */
final class PodSyncer {
    private static final System.Logger LOG = System.getLogger(PodSyncer.class.getName());
    static final String NETWORK_ANNOTATION = "kubundle.io/network";
    static final String POD_IP_ANNOTATION = "kubundle.io/pod-ip";
    static final String INIT_ANNOTATION = "kubundle.io/init-container";
    static final String IMAGE_ANNOTATION = "io.kubernetes.container.image";
    /** In a pod's directory: the name of the runtime that runs it, so no other starts it while that one is away. */
    static final String RUNTIME_FILE = "runtime";

    /** What this kubelet instance remembers of a pod between syncs: only what the runtime cannot tell yet. */
    private static final class PodMemory {
        final Map<String, ContainerView.Waiting> waiting = new ConcurrentHashMap<>();
        volatile String lastStatusJson;
    }

    /** The network plugin for a new pod, configured with the node's pod CIDR ({@link NodeAgent#network()}). */
    interface NetworkSetup {
        PodNetwork network() throws NetworkFailure;
    }

    private final NodeSettings settings;
    private final NetworkSetup networkSetup;
    private final Plugins plugins;
    private final RuntimeSnapshot snapshot;
    private final Probers probers;
    private final ResourceClient<Pod> pods;
    private final ObjectLookup lookup;
    private final EventRecorder events;
    private final ObjectMapper json;
    private final EnvResolver env;
    private final PodVolumes volumes;
    private final Backoff restarts = new Backoff();
    private final Backoff pulls = new Backoff();
    /** When each container's image pull last failed, keyed as {@link #pulls}. */
    private final Map<String, Instant> lastPull = new ConcurrentHashMap<>();
    private final Map<String, PodMemory> memory = new ConcurrentHashMap<>();
    private volatile long nodeCpuMillis;
    private volatile long nodeMemoryBytes;

    PodSyncer(NodeSettings settings, NetworkSetup networkSetup, Plugins plugins, RuntimeSnapshot snapshot, Probers probers, ResourceClient<Pod> pods,
            ObjectLookup lookup, EventRecorder events, ObjectMapper json) {
        this.settings = settings;
        this.networkSetup = networkSetup;
        this.plugins = plugins;
        this.snapshot = snapshot;
        this.probers = probers;
        this.pods = pods;
        this.lookup = lookup;
        this.events = events;
        this.json = json;
        this.env = new EnvResolver(lookup);
        this.volumes = new PodVolumes(lookup, plugins, json);
    }

    void setAllocatable(long cpuMillis, long memoryBytes) {
        this.nodeCpuMillis = cpuMillis;
        this.nodeMemoryBytes = memoryBytes;
    }

    /**
     * Syncs the pod named {@code namespace/name}: {@code pod} is the API's object, or {@code null}
     * when it is gone.
     *
     * @return when to look again though nothing changes
     */
    Duration sync(String namespace, String name, Pod pod) throws Exception {
        String uid = pod == null ? null : pod.getMetadata().getUid();
        // sandboxes of an earlier pod of that name (or of this one, deleted) go first
        for (RuntimeSnapshot.Sandbox sandbox : snapshot.sandboxesOf(namespace, name)) {
            if (!sandbox.status().config().uid().equals(uid)) {
                tearDown(sandbox.status().config().uid(), sandbox.runtime(), sandbox.status().id(),
                        sandbox.status().annotations(), Duration.ofSeconds(pod == null ? 0 : 30), null);
                memory.remove(sandbox.status().config().uid());
            }
        }
        if (pod == null) {
            return Duration.ZERO;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            long grace = pod.getMetadata().getDeletionGracePeriodSeconds() != null ? pod.getMetadata().getDeletionGracePeriodSeconds()
                    : gracePeriod(pod);
            Optional<RuntimeSnapshot.Sandbox> sandbox = currentSandbox(pod);
            if (sandbox.isEmpty() && absentRuntime(uid).isPresent()) {
                return Duration.ofSeconds(2); // stopped when its runtime is back, not left running unmanaged
            }
            if (sandbox.isPresent()) {
                tearDown(uid, sandbox.get().runtime(), sandbox.get().status().id(), sandbox.get().status().annotations(),
                        Duration.ofSeconds(grace), pod);
            } else {
                cleanUpHost(uid, plugins.preferredNetwork(), pod);
            }
            memory.remove(uid);
            restarts.forgetPrefix(uid + "/");
            pulls.forgetPrefix(uid + "/");
            try {
                pods.delete(namespace, name, DeleteOptions.gracePeriod(0).withPreconditionUid(uid));
            } catch (ApiStatusException e) {
                if (!e.isNotFound() && e.code() != 409) {
                    throw e;
                }
            }
            return Duration.ZERO;
        }
        PodMemory podMemory = memory.computeIfAbsent(uid, key -> new PodMemory());
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (PodStatuses.SUCCEEDED.equals(phase) || PodStatuses.FAILED.equals(phase)) {
            return finish(pod);
        }
        return run(pod, podMemory);
    }

    private Duration run(Pod pod, PodMemory podMemory) throws Exception {
        String uid = pod.getMetadata().getUid();
        Optional<RuntimeSnapshot.Sandbox> existing = currentSandbox(pod);
        ContainerRuntime runtime;
        String sandboxId;
        String podIp;
        Map<String, String> sandboxAnnotations;
        if (existing.isPresent()) {
            runtime = existing.get().runtime();
            sandboxId = existing.get().status().id();
            sandboxAnnotations = existing.get().status().annotations();
            podIp = sandboxAnnotations.get(POD_IP_ANNOTATION);
        } else {
            Optional<String> absent = absentRuntime(uid);
            if (absent.isPresent()) {
                // its containers may run on: another runtime must not start the pod a second time
                podMemory.waiting.put("", new ContainerView.Waiting("ContainerCreating", "the pod's runtime \"" + absent.get()
                        + "\" is not installed"));
                return Duration.ofSeconds(2);
            }
            Optional<ContainerRuntime> chosen = plugins.runtimeForNewPods();
            if (chosen.isEmpty()) {
                report(pod, podMemory, null, null, List.of(), false);
                return Duration.ofSeconds(2);
            }
            runtime = chosen.get();
            reportIfNew(pod, podMemory);
            SandboxConfig config;
            try {
                config = sandboxConfig(pod);
            } catch (NetworkFailure | IOException e) {
                events.warning(pod, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.getMessage());
                report(pod, podMemory, null, null, List.of(), false);
                return Duration.ofSeconds(5);
            }
            try {
                Files.createDirectories(settings.podDir(uid));
                Files.writeString(settings.podDir(uid).resolve(RUNTIME_FILE), runtime.name());
                sandboxId = runtime.runSandbox(config);
            } catch (RuntimeFailure e) {
                events.warning(pod, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.getMessage());
                cleanUpNetwork(uid, config.annotations().get(NETWORK_ANNOTATION), pod);
                return Duration.ofSeconds(5);
            }
            sandboxAnnotations = config.annotations();
            podIp = sandboxAnnotations.get(POD_IP_ANNOTATION);
        }
        Map<String, ContainerStatus> byId = containersOf(runtime, sandboxId);

        Map<String, Path> volumePaths;
        EnvResolver.PodFacts facts = new EnvResolver.PodFacts(podIp, settings.nodeIp(), nodeCpuMillis, nodeMemoryBytes);
        try {
            volumePaths = volumes.setUp(pod, settings.podDir(uid), facts);
        } catch (ConfigError e) {
            if (!e.getMessage().equals(podMemory.waiting.getOrDefault("", new ContainerView.Waiting("", "")).message())) {
                events.warning(pod, e.reason(), e.getMessage());
            }
            podMemory.waiting.put("", new ContainerView.Waiting(e.reason(), e.getMessage()));
            report(pod, podMemory, runtime, podIp, List.copyOf(byId.values()), true);
            return Duration.ofSeconds(10);
        }
        podMemory.waiting.remove("");

        Duration again = settings.resync();
        String policy = PodStatuses.restartPolicy(pod);
        boolean initialized = true;
        for (Container container : pod.getSpec().getInitContainers()) {
            ContainerStatus latest = latest(byId, container.getName());
            if (latest != null && latest.state() == ContainerState.EXITED && latest.exitCode() == 0) {
                continue;
            }
            initialized = false;
            if (latest != null && latest.state() == ContainerState.RUNNING) {
                break;
            }
            if (latest != null && latest.state() == ContainerState.EXITED && "Never".equals(policy)) {
                break; // the pod has failed
            }
            again = min(again, start(pod, podMemory, runtime, sandboxId, container, true, latest, volumePaths, facts));
            break;
        }
        if (initialized) {
            for (Container container : pod.getSpec().getContainers()) {
                again = min(again, syncContainer(pod, podMemory, runtime, sandboxId, container, byId, volumePaths, facts, policy));
            }
        }
        byId = containersOf(runtime, sandboxId);
        keepProbes(pod, runtime, podIp, byId);
        report(pod, podMemory, runtime, podIp, List.copyOf(byId.values()), true);
        removeOldAttempts(runtime, byId);
        return again;
    }

    private Duration syncContainer(Pod pod, PodMemory podMemory, ContainerRuntime runtime, String sandboxId, Container container,
            Map<String, ContainerStatus> byId, Map<String, Path> volumePaths, EnvResolver.PodFacts facts, String policy)
            throws Exception {
        ContainerStatus latest = latest(byId, container.getName());
        if (latest != null && latest.state() == ContainerState.RUNNING) {
            Probers.Outcome failed = probers.mustRestart(latest.id());
            String imageNow = latest.annotations().get(IMAGE_ANNOTATION);
            if (failed == null && (imageNow == null || imageNow.equals(container.getImage()))) {
                return settings.resync();
            }
            String why = failed != null ? "Container " + container.getName() + " failed liveness probe, will be restarted"
                    : "Container " + container.getName() + " definition changed, will be restarted";
            events.normal(pod, "Killing", why);
            stopContainer(pod, runtime, latest, container, Duration.ofSeconds(gracePeriod(pod)));
            probers.forget(Set.of(latest.id()));
            latest = runtime.containerStatus(latest.id()).orElse(null);
            if (latest == null) {
                return Duration.ofSeconds(1);
            }
            byId.put(latest.id(), latest);
        }
        if (latest != null && latest.state() == ContainerState.EXITED) {
            boolean restart = "Always".equals(policy) || ("OnFailure".equals(policy) && latest.exitCode() != 0);
            if (!restart) {
                podMemory.waiting.remove(container.getName());
                return settings.resync();
            }
        }
        if (latest != null && latest.state() != ContainerState.EXITED) {
            return Duration.ofSeconds(1); // created, not yet running: look again soon
        }
        return start(pod, podMemory, runtime, sandboxId, container, false, latest, volumePaths, facts);
    }

    /**
     * Starts the next attempt of a container unless back-off says wait.
     *
     * @return when to look again
     */
    private Duration start(Pod pod, PodMemory podMemory, ContainerRuntime runtime, String sandboxId, Container container, boolean init,
            ContainerStatus latest, Map<String, Path> volumePaths, EnvResolver.PodFacts facts) throws Exception {
        String uid = pod.getMetadata().getUid();
        String backoffKey = uid + "/" + container.getName();
        Instant now = Instant.now();
        if (latest != null) {
            Instant failedAt = latest.finishedAt() != null ? latest.finishedAt() : now;
            Duration wait = restarts.remaining(backoffKey, failedAt, now);
            if (!wait.isZero()) {
                String message = "back-off " + human(restarts.delay(backoffKey, now)) + " restarting failed container="
                        + container.getName() + " pod=" + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace()
                        + "(" + uid + ")";
                if (podMemory.waiting.put(container.getName(), new ContainerView.Waiting("CrashLoopBackOff", message)) == null) {
                    events.warning(pod, "BackOff", "Back-off restarting failed container " + container.getName() + " in pod "
                            + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "(" + uid + ")");
                }
                return wait;
            }
        }
        int attempt = latest == null ? 0 : latest.attempt() + 1;
        Optional<Duration> pullWait = pull(pod, podMemory, container);
        if (pullWait.isPresent()) {
            return pullWait.get();
        }
        ContainerConfig config;
        try {
            config = containerConfig(pod, container, attempt, init, volumePaths, facts);
        } catch (ConfigError e) {
            ContainerView.Waiting waiting = new ContainerView.Waiting(e.reason(), e.getMessage());
            if (!waiting.equals(podMemory.waiting.put(container.getName(), waiting))) {
                events.warning(pod, "Failed", "Error: " + e.getMessage());
            }
            return Duration.ofSeconds(10);
        }
        if (latest != null) {
            restarts.retried(backoffKey, now);
        }
        String id;
        try {
            id = runtime.createContainer(sandboxId, config);
        } catch (RuntimeFailure e) {
            podMemory.waiting.put(container.getName(), new ContainerView.Waiting(e.reason(), e.getMessage()));
            events.warning(pod, "Failed", "Error: " + e.getMessage());
            restarts.retried(backoffKey, now);
            return Duration.ofSeconds(10);
        }
        podMemory.waiting.remove(container.getName());
        events.normal(pod, "Created", "Created container " + container.getName());
        try {
            runtime.startContainer(id);
            events.normal(pod, "Started", "Started container " + container.getName());
        } catch (RuntimeFailure e) {
            events.warning(pod, "Failed", "Error: " + e.getMessage());
        }
        return Duration.ofSeconds(1);
    }

    /**
     * Pulls the container's image as its {@code imagePullPolicy} says.
     *
     * @return empty when the image is here, else how long to wait (the container waits with
     *         ErrImagePull, ImagePullBackOff or ErrImageNeverPull)
     */
    private Optional<Duration> pull(Pod pod, PodMemory podMemory, Container container) throws Exception {
        ImageService images = plugins.images().orElse(null);
        String image = container.getImage();
        if (images == null) {
            podMemory.waiting.put(container.getName(), new ContainerView.Waiting("ImageInspectError", "no image service on this node"));
            return Optional.of(Duration.ofSeconds(5));
        }
        String policy = container.getImagePullPolicy();
        if (policy == null || policy.isEmpty()) {
            policy = image.contains("@") || !tagOf(image).equals("latest") ? "IfNotPresent" : "Always";
        }
        if (!"Always".equals(policy) && images.status(image).isPresent()) {
            return Optional.empty();
        }
        if ("Never".equals(policy)) {
            String message = "Container image \"" + image + "\" is not present with pull policy of Never";
            if (podMemory.waiting.put(container.getName(), new ContainerView.Waiting("ErrImageNeverPull", message)) == null) {
                events.warning(pod, "ErrImageNeverPull", message);
            }
            return Optional.of(Duration.ofSeconds(10));
        }
        String key = pod.getMetadata().getUid() + "/pull/" + container.getName();
        Instant now = Instant.now();
        ContainerView.Waiting waiting = podMemory.waiting.get(container.getName());
        if (waiting != null && ("ErrImagePull".equals(waiting.reason()) || "ImagePullBackOff".equals(waiting.reason()))) {
            Duration wait = pulls.remaining(key, lastPull.getOrDefault(key, Instant.EPOCH), now);
            if (!wait.isZero()) {
                podMemory.waiting.put(container.getName(), new ContainerView.Waiting("ImagePullBackOff",
                        "Back-off pulling image \"" + image + "\""));
                return Optional.of(wait);
            }
        }
        events.normal(pod, "Pulling", "Pulling image \"" + image + "\"");
        long started = System.nanoTime();
        try {
            images.pull(image, credentials(pod));
            lastPull.remove(key);
            events.normal(pod, "Pulled", "Successfully pulled image \"" + image + "\" in "
                    + Duration.ofNanos(System.nanoTime() - started).toMillis() + "ms");
            return Optional.empty();
        } catch (RuntimeFailure e) {
            pulls.retried(key, now);
            lastPull.put(key, now);
            String message = "Failed to pull image \"" + image + "\": " + e.getMessage();
            podMemory.waiting.put(container.getName(), new ContainerView.Waiting("ErrImagePull", message));
            events.warning(pod, "Failed", message);
            events.warning(pod, "Failed", "Error: ErrImagePull");
            return Optional.of(Duration.ofSeconds(1));
        }
    }

    private static String tagOf(String image) {
        String lastPart = image.substring(image.lastIndexOf('/') + 1);
        int colon = lastPart.indexOf(':');
        return colon < 0 ? "latest" : lastPart.substring(colon + 1);
    }

    /** Registry credentials from the pod's {@code imagePullSecrets} ({@code kubernetes.io/dockerconfigjson}). */
    private List<ImageService.RegistryCredentials> credentials(Pod pod) throws IOException {
        List<ImageService.RegistryCredentials> credentials = new ArrayList<>();
        for (var reference : pod.getSpec().getImagePullSecrets()) {
            var secret = lookup.secret(pod.getMetadata().getNamespace(), reference.getName());
            if (secret.isEmpty()) {
                continue; // Kubernetes pulls without it and warns
            }
            String config = EnvResolver.secretData(secret.get()).get(".dockerconfigjson");
            if (config == null) {
                continue;
            }
            credentials.addAll(DockerConfig.parse(json.readTree(config)));
        }
        return credentials;
    }

    private ContainerConfig containerConfig(Pod pod, Container container, int attempt, boolean init, Map<String, Path> volumePaths,
            EnvResolver.PodFacts facts) throws ConfigError, IOException {
        List<ContainerConfig.EnvVar> variables = env.resolve(pod, container, facts);
        List<Mount> mounts = new ArrayList<>();
        for (VolumeMount volumeMount : container.getVolumeMounts()) {
            Path source = volumePaths.get(volumeMount.getName());
            if (source == null) {
                throw new ConfigError("CreateContainerConfigError", "cannot find volume \"" + volumeMount.getName() + "\" to mount into container \""
                        + container.getName() + "\"");
            }
            String subPath = volumeMount.getSubPathExpr() != null && !volumeMount.getSubPathExpr().isEmpty()
                    ? EnvResolver.expandAll(List.of(volumeMount.getSubPathExpr()), variables).get(0) : volumeMount.getSubPath();
            if (subPath != null && !subPath.isEmpty()) {
                Path resolved = source.resolve(subPath).normalize();
                if (!resolved.startsWith(source)) {
                    throw new ConfigError("CreateContainerConfigError", "subPath " + subPath + " leaves volume " + volumeMount.getName());
                }
                if (!Files.exists(resolved)) {
                    Files.createDirectories(resolved);
                }
                source = resolved;
            }
            String propagation = switch (volumeMount.getMountPropagation() == null ? "" : volumeMount.getMountPropagation()) {
                case "HostToContainer" -> "rslave";
                case "Bidirectional" -> "rshared";
                default -> "private";
            };
            mounts.add(new Mount(source.toString(), volumeMount.getMountPath(),
                    Boolean.TRUE.equals(volumeMount.getReadOnly()) || readOnlyVolume(pod, volumeMount.getName()), propagation));
        }
        Path logPath = settings.podLogDir(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getMetadata().getUid())
                .resolve(container.getName()).resolve(attempt + ".log");
        Files.createDirectories(logPath.getParent());
        Map<String, String> labels = podLabels(pod);
        labels.put(RuntimeSnapshot.CONTAINER_NAME, container.getName());
        return new ContainerConfig(container.getName(), attempt, container.getImage(),
                EnvResolver.expandAll(container.getCommand(), variables), EnvResolver.expandAll(container.getArgs(), variables),
                container.getWorkingDir(), variables, mounts, logPath.toString(), resources(container), security(pod, container),
                Boolean.TRUE.equals(container.getStdin()), Boolean.TRUE.equals(container.getStdinOnce()), Boolean.TRUE.equals(container.getTty()), labels,
                Map.of(INIT_ANNOTATION, Boolean.toString(init), IMAGE_ANNOTATION, container.getImage(),
                        "io.kubernetes.container.terminationMessagePath", container.getTerminationMessagePath() == null ? ""
                                : container.getTerminationMessagePath()));
    }

    /** A claim mounted {@code readOnly} in the pod's volume list is read-only in every container, as Kubernetes mounts it. */
    private static boolean readOnlyVolume(Pod pod, String name) {
        return pod.getSpec().getVolumes().stream().anyMatch(volume -> name.equals(volume.getName())
                && volume.getPersistentVolumeClaim() != null && Boolean.TRUE.equals(volume.getPersistentVolumeClaim().getReadOnly()));
    }

    static Resources resources(Container container) {
        if (container.getResources() == null) {
            return Resources.NONE;
        }
        Map<String, Quantity> requests = container.getResources().getRequests() == null ? Map.of() : container.getResources().getRequests();
        Map<String, Quantity> limits = container.getResources().getLimits() == null ? Map.of() : container.getResources().getLimits();
        long cpuRequest = millis(requests.getOrDefault("cpu", limits.get("cpu")));
        return Resources.fromKubernetes(cpuRequest, millis(limits.get("cpu")), PodVolumes.bytes(limits.get("memory")));
    }

    /**
     * The pod's cgroup, as the kubelet sizes it: CPU shares for the sum of the containers'
     * requests, and a CPU quota and memory limit only when every container has one.
     */
    static Resources podResources(Pod pod) {
        long shares = 0;
        long quota = 0;
        long memory = 0;
        boolean allCpuLimited = true;
        boolean allMemoryLimited = true;
        for (Container container : pod.getSpec().getContainers()) {
            Resources resources = resources(container);
            shares += resources.cpuShares() <= Resources.NONE.cpuShares() ? 0 : resources.cpuShares();
            quota += resources.cpuQuotaMicros();
            memory += resources.memoryLimitBytes();
            allCpuLimited &= resources.cpuQuotaMicros() > 0;
            allMemoryLimited &= resources.memoryLimitBytes() > 0;
        }
        return new Resources(Math.max(Resources.NONE.cpuShares(), shares), allCpuLimited ? quota : 0, allCpuLimited ? 100_000 : 0,
                allMemoryLimited ? memory : 0);
    }

    private static long millis(Quantity quantity) {
        return quantity == null ? 0 : Quantity.getAmountInBytes(quantity).movePointRight(3)
                .setScale(0, java.math.RoundingMode.CEILING).longValue();
    }

    private static ContainerConfig.Security security(Pod pod, Container container) {
        PodSecurityContext podContext = pod.getSpec().getSecurityContext();
        SecurityContext context = container.getSecurityContext();
        Long user = context != null && context.getRunAsUser() != null ? context.getRunAsUser()
                : podContext == null ? null : podContext.getRunAsUser();
        Long group = context != null && context.getRunAsGroup() != null ? context.getRunAsGroup()
                : podContext == null ? null : podContext.getRunAsGroup();
        boolean readOnly = context != null && Boolean.TRUE.equals(context.getReadOnlyRootFilesystem());
        boolean privileged = context != null && Boolean.TRUE.equals(context.getPrivileged());
        return new ContainerConfig.Security(user, group, readOnly, privileged);
    }

    private static Map<String, String> podLabels(Pod pod) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(RuntimeSnapshot.POD_UID, pod.getMetadata().getUid());
        labels.put(RuntimeSnapshot.POD_NAME, pod.getMetadata().getName());
        labels.put(RuntimeSnapshot.POD_NAMESPACE, pod.getMetadata().getNamespace());
        return labels;
    }

    /** The pod's network namespace and address, then what the runtime needs for its sandbox. */
    private SandboxConfig sandboxConfig(Pod pod) throws NetworkFailure, IOException {
        String uid = pod.getMetadata().getUid();
        Map<String, String> annotations = new LinkedHashMap<>();
        String netnsPath = null;
        if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            annotations.put(POD_IP_ANNOTATION, settings.nodeIp());
        } else {
            PodNetwork network = networkSetup.network();
            netnsPath = PodNetns.create(uid).toString();
            try {
                Attachment attachment = network.add(podRef(pod));
                annotations.put(NETWORK_ANNOTATION, network.name());
                annotations.put(POD_IP_ANNOTATION, attachment.ips().isEmpty() ? "" : attachment.ips().get(0));
            } catch (NetworkFailure | RuntimeException e) {
                PodNetns.delete(uid);
                throw e instanceof NetworkFailure failure ? failure : new NetworkFailure(e.getMessage(), e);
            }
        }
        String hostname = pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty() ? pod.getSpec().getHostname()
                : pod.getMetadata().getName();
        Path logDir = settings.podLogDir(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), uid);
        Files.createDirectories(logDir);
        return new SandboxConfig(uid, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), 0, hostname, netnsPath,
                settings.cgroupParent() + "/pod" + uid, podResources(pod), logDir.toString(), podLabels(pod), annotations,
                PodDns.of(pod, plugins.clusterDns()), hostEntries(pod, hostname, annotations.get(POD_IP_ANNOTATION)));
    }

    /**
     * The pod's lines of {@code /etc/hosts}, as the kubelet's managed hosts file has them: its address
     * with its names (with a subdomain, its fully qualified name first), then its {@code hostAliases}.
     */
    private List<SandboxConfig.HostEntry> hostEntries(Pod pod, String hostname, String podIp) {
        List<SandboxConfig.HostEntry> entries = new ArrayList<>();
        if (podIp != null && !podIp.isEmpty()) {
            String subdomain = pod.getSpec().getSubdomain();
            String domain = plugins.clusterDns().map(ClusterDns::clusterDomain).orElse("cluster.local");
            entries.add(new SandboxConfig.HostEntry(podIp, subdomain == null || subdomain.isEmpty() ? List.of(hostname)
                    : List.of(hostname + "." + subdomain + "." + pod.getMetadata().getNamespace() + ".svc." + domain, hostname)));
        }
        if (pod.getSpec().getHostAliases() != null) {
            pod.getSpec().getHostAliases().stream().filter(alias -> alias.getIp() != null && alias.getHostnames() != null)
                    .forEach(alias -> entries.add(new SandboxConfig.HostEntry(alias.getIp(), alias.getHostnames())));
        }
        return entries;
    }

    private static PodRef podRef(Pod pod) {
        String uid = pod.getMetadata().getUid();
        return new PodRef(uid, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), PodNetns.path(uid).toString(), "eth0");
    }

    /** The runtime that made the pod's sandbox, if that runtime is not installed now (during a swap, say). */
    private Optional<String> absentRuntime(String uid) {
        Path file = settings.podDir(uid).resolve(RUNTIME_FILE);
        try {
            String name = Files.isRegularFile(file) ? Files.readString(file).strip() : "";
            return name.isEmpty() || plugins.runtime(name).isPresent() ? Optional.empty() : Optional.of(name);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<RuntimeSnapshot.Sandbox> currentSandbox(Pod pod) {
        String uid = pod.getMetadata().getUid();
        return snapshot.sandboxesOf(pod.getMetadata().getNamespace(), pod.getMetadata().getName()).stream()
                .filter(s -> s.status().config().uid().equals(uid) && s.status().ready()).findFirst()
                .or(() -> fresh(pod));
    }

    /** A sandbox made since the last relist: asked from the runtimes directly. */
    private Optional<RuntimeSnapshot.Sandbox> fresh(Pod pod) {
        String uid = pod.getMetadata().getUid();
        for (ContainerRuntime runtime : plugins.runtimes()) {
            try {
                for (var sandbox : runtime.listSandboxes()) {
                    if (sandbox.config().uid().equals(uid) && sandbox.ready()) {
                        return Optional.of(new RuntimeSnapshot.Sandbox(runtime, sandbox));
                    }
                }
            } catch (RuntimeFailure e) {
                LOG.log(System.Logger.Level.WARNING, "listing sandboxes of " + runtime.name() + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The pod's containers, fresh from the runtime. */
    /**
     * The sandbox's containers, listed from the runtime now: the relist may be a second old, and a
     * container it has not seen (made just now, or before a restart) must never be made twice.
     */
    private static Map<String, ContainerStatus> containersOf(ContainerRuntime runtime, String sandboxId) throws RuntimeFailure {
        Map<String, ContainerStatus> byId = new HashMap<>();
        for (ContainerStatus container : runtime.listContainers()) {
            if (container.sandboxId().equals(sandboxId)) {
                byId.put(container.id(), container);
            }
        }
        return byId;
    }

    private static ContainerStatus latest(Map<String, ContainerStatus> byId, String name) {
        return byId.values().stream().filter(c -> name.equals(c.name())).max(Comparator.comparingInt(ContainerStatus::attempt))
                .orElse(null);
    }

    private static ContainerStatus previous(Map<String, ContainerStatus> byId, String name, ContainerStatus latest) {
        if (latest == null) {
            return null;
        }
        return byId.values().stream().filter(c -> name.equals(c.name()) && c.attempt() < latest.attempt())
                .max(Comparator.comparingInt(ContainerStatus::attempt)).orElse(null);
    }

    /** Keeps the newest two attempts of each container (the running one and the one {@code --previous} shows). */
    private void removeOldAttempts(ContainerRuntime runtime, Map<String, ContainerStatus> byId) {
        Map<String, List<ContainerStatus>> byName = new HashMap<>();
        byId.values().forEach(c -> byName.computeIfAbsent(c.name(), n -> new ArrayList<>()).add(c));
        for (List<ContainerStatus> attempts : byName.values()) {
            attempts.sort(Comparator.comparingInt(ContainerStatus::attempt).reversed());
            for (ContainerStatus old : attempts.subList(Math.min(2, attempts.size()), attempts.size())) {
                if (old.state() == ContainerState.EXITED) {
                    try {
                        runtime.removeContainer(old.id());
                    } catch (RuntimeFailure e) {
                        LOG.log(System.Logger.Level.DEBUG, "removing old container " + old.id() + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private void keepProbes(Pod pod, ContainerRuntime runtime, String podIp, Map<String, ContainerStatus> byId) {
        String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        Map<String, Container> specs = new HashMap<>();
        pod.getSpec().getContainers().forEach(c -> specs.put(c.getName(), c));
        Set<String> running = new HashSet<>();
        for (ContainerStatus container : byId.values()) {
            Container spec = specs.get(container.name());
            if (container.state() == ContainerState.RUNNING && spec != null
                    && !"true".equals(container.annotations().get(INIT_ANNOTATION))) {
                running.add(container.id());
                Duration since = container.startedAt() == null ? Duration.ZERO : Duration.between(container.startedAt(), Instant.now());
                probers.ensure(key, container.id(), spec, podIp, runtime, since);
            }
        }
        Set<String> stale = new HashSet<>(byId.keySet());
        stale.removeAll(running);
        probers.forget(stale);
    }

    private void reportIfNew(Pod pod, PodMemory podMemory) throws Exception {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses().isEmpty()) {
            report(pod, podMemory, null, null, List.of(), false);
        }
    }

    /** Computes the pod's status and writes it when it differs from what was last written. */
    private void report(Pod pod, PodMemory podMemory, ContainerRuntime runtime, String podIp, List<ContainerStatus> containers,
            boolean sandboxReady) throws Exception {
        Map<String, ContainerStatus> byId = new HashMap<>();
        containers.forEach(c -> byId.put(c.id(), c));
        ContainerView.Waiting podWaiting = podMemory.waiting.get("");
        List<ContainerView> init = new ArrayList<>();
        for (Container container : pod.getSpec().getInitContainers()) {
            init.add(view(container, byId, podMemory, podWaiting));
        }
        List<ContainerView> regular = new ArrayList<>();
        for (Container container : pod.getSpec().getContainers()) {
            regular.add(view(container, byId, podMemory, podWaiting));
        }
        PodStatus status = PodStatuses.compute(pod, init, regular, podIp == null || podIp.isEmpty() ? null : podIp, settings.nodeIp(),
                sandboxReady, Instant.now());
        JsonNode statusJson = json.valueToTree(status);
        String text = statusJson.toString();
        if (text.equals(podMemory.lastStatusJson) && pod.getStatus() != null
                && text.equals(json.valueToTree(pod.getStatus()).toString())) {
            return;
        }
        if (text.equals(json.valueToTree(pod.getStatus() == null ? new PodStatus() : pod.getStatus()).toString())) {
            podMemory.lastStatusJson = text;
            return;
        }
        pods.patch(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), PatchType.MERGE,
                json.createObjectNode().set("status", statusJson), "status");
        podMemory.lastStatusJson = text;
    }

    private ContainerView view(Container container, Map<String, ContainerStatus> byId, PodMemory podMemory,
            ContainerView.Waiting podWaiting) {
        ContainerStatus latest = latest(byId, container.getName());
        ContainerView.Waiting waiting = podMemory.waiting.get(container.getName());
        if (waiting == null && latest == null && podWaiting != null) {
            waiting = new ContainerView.Waiting("ContainerCreating", null);
        }
        boolean ready = latest != null && probers.ready(latest.id());
        boolean started = latest != null && probers.started(latest.id());
        return new ContainerView(container.getName(), container.getImage(), latest, previous(byId, container.getName(), latest),
                waiting, ready, started);
    }

    /** A pod that finished: its containers stay for their logs, its address goes back. */
    private Duration finish(Pod pod) {
        Optional<RuntimeSnapshot.Sandbox> sandbox = currentSandbox(pod);
        if (sandbox.isPresent()) {
            try {
                sandbox.get().runtime().stopSandbox(sandbox.get().status().id(), Duration.ofSeconds(gracePeriod(pod)));
            } catch (RuntimeFailure e) {
                LOG.log(System.Logger.Level.WARNING, "stopping the sandbox of finished pod " + pod.getMetadata().getName() + ": "
                        + e.getMessage());
            }
            cleanUpNetwork(pod.getMetadata().getUid(), sandbox.get().status().annotations().get(NETWORK_ANNOTATION), pod);
        }
        return Duration.ZERO;
    }

    /**
     * Stops every container of a pod (preStop hooks first, all within the grace period), releases
     * its network, removes its sandbox, volumes and logs.
     */
    void tearDown(String uid, ContainerRuntime runtime, String sandboxId, Map<String, String> annotations, Duration grace, Pod pod)
            throws Exception {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        Map<String, Container> specs = new HashMap<>();
        if (pod != null) {
            pod.getSpec().getContainers().forEach(c -> specs.put(c.getName(), c));
        }
        List<ContainerStatus> containers = containersOf(runtime, sandboxId).values().stream().toList();
        for (ContainerStatus container : containers) {
            if (container.state() == ContainerState.RUNNING) {
                stops.add(CompletableFuture.runAsync(() -> {
                    try {
                        if (pod != null) {
                            events.normal(pod, "Killing", "Stopping container " + container.name());
                        }
                        stopContainer(pod, runtime, container, specs.get(container.name()), grace);
                    } catch (RuntimeFailure e) {
                        LOG.log(System.Logger.Level.WARNING, "stopping container " + container.id() + ": " + e.getMessage());
                    }
                }));
            }
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
        probers.forget(containers.stream().map(ContainerStatus::id).collect(java.util.stream.Collectors.toSet()));
        runtime.stopSandbox(sandboxId, Duration.ZERO);
        cleanUpNetwork(uid, annotations.get(NETWORK_ANNOTATION), pod);
        runtime.removeSandbox(sandboxId);
        cleanUpHost(uid, null, pod);
    }

    private void cleanUpHost(String uid, String network, Pod pod) throws IOException {
        if (network != null) {
            cleanUpNetwork(uid, network, pod);
        }
        volumes.tearDown(uid, settings.podDir(uid));
        if (pod != null) {
            PodVolumes.deleteTree(settings.podLogDir(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), uid));
        }
    }

    private void cleanUpNetwork(String uid, String networkName, Pod pod) {
        if (networkName != null) {
            Optional<PodNetwork> network = plugins.network(networkName);
            if (network.isPresent()) {
                String namespace = pod == null ? "" : pod.getMetadata().getNamespace();
                String name = pod == null ? "" : pod.getMetadata().getName();
                try {
                    network.get().delete(new PodRef(uid, namespace, name, PodNetns.path(uid).toString(), "eth0"));
                } catch (NetworkFailure e) {
                    LOG.log(System.Logger.Level.WARNING, "releasing the network of pod " + uid + ": " + e.getMessage());
                }
            }
        }
        try {
            PodNetns.delete(uid);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "deleting the network namespace of pod " + uid + ": " + e.getMessage());
        }
    }

    /** Runs the container's preStop hook, then stops it, all within {@code grace}. */
    private void stopContainer(Pod pod, ContainerRuntime runtime, ContainerStatus container, Container spec, Duration grace)
            throws RuntimeFailure {
        long deadline = System.nanoTime() + grace.toNanos();
        LifecycleHandler preStop = spec == null || spec.getLifecycle() == null ? null : spec.getLifecycle().getPreStop();
        if (preStop != null && grace.toSeconds() > 0) {
            try {
                if (preStop.getExec() != null) {
                    runtime.execSync(container.id(), preStop.getExec().getCommand(), grace);
                } else if (preStop.getHttpGet() != null && pod != null) {
                    Hooks.httpGet(preStop.getHttpGet(), spec, podIp(pod), grace);
                } else if (preStop.getSleep() != null && preStop.getSleep().getSeconds() != null) {
                    Thread.sleep(Math.min(grace.toMillis(), preStop.getSleep().getSeconds() * 1000));
                }
            } catch (RuntimeFailure | IOException e) {
                if (pod != null) {
                    events.warning(pod, "FailedPreStopHook", "PreStopHook failed: " + e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        runtime.stopContainer(container.id(), left);
    }

    private static String podIp(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    }

    static long gracePeriod(Pod pod) {
        Long grace = pod.getSpec().getTerminationGracePeriodSeconds();
        return grace == null ? 30 : Math.max(0, grace);
    }

    private static Duration min(Duration a, Duration b) {
        if (a.isZero()) {
            return b;
        }
        if (b.isZero()) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String human(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds >= 60 ? (seconds / 60) + "m" + (seconds % 60 == 0 ? "" : (seconds % 60) + "s") : seconds + "s";
    }

    /** Forgets what it remembers of pods that are no longer here. */
    void retainPods(Set<String> uids) {
        memory.keySet().retainAll(uids);
    }
}
