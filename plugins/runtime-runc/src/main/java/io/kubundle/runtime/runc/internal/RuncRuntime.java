package io.kubundle.runtime.runc.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ContainerState;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.ExecResult;
import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.ImageService;
import io.kubundle.api.runtime.ImageService.ImageInfo;
import io.kubundle.api.runtime.Mount;
import io.kubundle.api.runtime.Resources;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxConfig;
import io.kubundle.api.runtime.SandboxStatus;

/**
 * The {@code runc} container runtime: pod sandboxes are directories, containers are OCI bundles
 * on overlayfs run by {@code runc} under a detached shim that outlives this object (see README).
 * Closing it (bundle stop or swap) stops reading the containers' output and leaves them running; a
 * new instance on the same root directory adopts them.
 */
@Component(service = ContainerRuntime.class, property = ContainerRuntime.NAME_PROPERTY + "=" + RuncRuntime.NAME,
        configurationPid = RuncRuntime.PID)
@Designate(ocd = RuncRuntime.Config.class)
public final class RuncRuntime implements ContainerRuntime, AutoCloseable {
    static final String PID = "io.kubundle.runtime.runc";
    static final String NAME = "runc";

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ORPHAN_AGE = Duration.ofMinutes(1);

    @ObjectClassDefinition(name = "Kubundle runc runtime", description = "Runs pod containers with runc on overlayfs.")
    public @interface Config {
        @AttributeDefinition(description = "State directory (sandboxes, containers, runc's state); "
                + "empty for <kubundle.data.dir>/runtime/runc")
        String rootDir() default "";

        @AttributeDefinition(description = "The runc binary: a path, or a name looked up in PATH and the sbin directories")
        String runc() default "runc";
    }

    private final ImageService images;
    private final Path sandboxes;
    private final Path containers;
    private final Path runcRoot;
    private final String runc;
    private final Cgroups cgroups;
    private final RuncExec exec;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    @Activate
    public RuncRuntime(@Reference ImageService images, Config config, BundleContext context) throws IOException {
        this(images, rootDir(config, context), config.runc(), Path.of("/sys/fs/cgroup"));
    }

    RuncRuntime(ImageService images, Path root, String runc, Path cgroupRoot) throws IOException {
        this.images = images;
        this.sandboxes = privateDirectory(root.resolve("sandboxes"));
        this.containers = privateDirectory(root.resolve("containers"));
        this.runcRoot = privateDirectory(root.resolve("runc"));
        this.runc = resolve(runc);
        this.cgroups = new Cgroups(cgroupRoot);
        this.exec = new RuncExec(this.runc, runcRoot);
        removeOrphans();
    }

    /**
     * Removes what a {@code createContainer} interrupted by a JVM death left: a directory (maybe
     * with its overlay mounted) without a record. Only old ones: another instance of this runtime
     * (during a bundle swap) may be making one right now.
     */
    private void removeOrphans() throws IOException {
        Instant before = Instant.now().minus(ORPHAN_AGE);
        for (Path dir : List.of(containers, sandboxes)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path entry : entries) {
                    boolean recorded = Files.exists(entry.resolve("container.json"))
                            || Files.exists(entry.resolve("sandbox.json"));
                    if (!recorded && Files.getLastModifiedTime(entry).toInstant().isBefore(before)) {
                        cleanUp(new ContainerDir(entry), null);
                    }
                }
            }
        }
    }

    /** The records and OCI configs hold the containers' environment, secrets included: root only. */
    private static Path privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    private static Path rootDir(Config config, BundleContext context) {
        if (!config.rootDir().isBlank()) {
            return Path.of(config.rootDir());
        }
        String dataDir = context.getProperty("kubundle.data.dir");
        Path base = dataDir != null ? Path.of(dataDir) : Path.of(System.getProperty("user.home"), ".kubundle");
        return base.resolve("runtime").resolve(NAME);
    }

    /** A bare name is looked up in PATH and the sbin directories (runc lives in /usr/sbin on Debian). */
    private static String resolve(String binary) {
        if (binary.contains("/")) {
            return binary;
        }
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin";
        return Stream.of(path.split(":")).filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, binary))
                .filter(Files::isExecutable).findFirst().map(Path::toString).orElse(binary);
    }

    /** Holds nothing: the containers, their shims and log writers run on without this object. */
    @Deactivate
    @Override
    public void close() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        try {
            Commands.Result version = Commands.run(List.of(runc, "--version"), Duration.ofSeconds(10));
            if (!version.ok()) {
                return Availability.no(runc + " --version failed: " + version.output());
            }
            if (!Files.readString(Path.of("/proc/filesystems")).contains("\toverlay\n")) {
                return Availability.no("overlayfs is not available (modprobe overlay)");
            }
            if (!cgroups.memoryAvailable()) {
                return Availability.no("the cgroup v1 memory controller is not mounted at /sys/fs/cgroup/memory");
            }
            if (!Commands.run(List.of("perl", "-MTime::HiRes", "-e1"), Duration.ofSeconds(10)).ok()) {
                return Availability.no("perl with Time::HiRes (Debian: perl) is needed for the log writers");
            }
            return Availability.yes();
        } catch (IOException e) {
            return Availability.no("cannot run " + runc + ": " + e.getMessage());
        }
    }

    // ---- sandboxes ----

    @Override
    public String runSandbox(SandboxConfig config) throws RuntimeFailure {
        synchronized (lock("pod:" + config.uid())) {
            for (Records.Sandbox sandbox : readSandboxes()) {
                if (sandbox.ready() && sandbox.config().uid().equals(config.uid())) {
                    return sandbox.id();
                }
            }
            String id = newId();
            Path dir = sandboxes.resolve(id);
            String parent = config.cgroupParent() == null || config.cgroupParent().isBlank() ? "kubundle/" + id
                    : config.cgroupParent().replaceAll("^/+", "");
            boolean cgroupCreated = false;
            try {
                Files.createDirectories(dir);
                cgroupCreated = cgroups.create(parent, config.resources() == null ? Resources.NONE : config.resources());
                Records.write(dir.resolve("sandbox.json"),
                        new Records.Sandbox(id, config, Instant.now().toString(), true, parent, cgroupCreated));
                return id;
            } catch (IOException | RuntimeException e) {
                try {
                    deleteTree(dir);
                    if (cgroupCreated) {
                        cgroups.remove(parent);
                    }
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw new RuntimeFailure("CreatePodSandboxError", "cannot make the sandbox: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void stopSandbox(String sandboxId, Duration gracePeriod) throws RuntimeFailure {
        Optional<Records.Sandbox> sandbox = readSandbox(sandboxId);
        if (sandbox.isEmpty()) {
            return;
        }
        stop(containersOf(sandboxId), gracePeriod);
        synchronized (lock(sandboxId)) {
            write(sandboxes.resolve(sandboxId).resolve("sandbox.json"), sandbox.get().stopped());
        }
    }

    @Override
    public void removeSandbox(String sandboxId) throws RuntimeFailure {
        Optional<Records.Sandbox> sandbox = readSandbox(sandboxId);
        if (sandbox.isEmpty()) {
            return;
        }
        for (String id : containersOf(sandboxId)) {
            removeContainer(id);
        }
        synchronized (lock(sandboxId)) {
            try {
                if (sandbox.get().cgroupCreated()) {
                    cgroups.remove(sandbox.get().cgroupParent());
                }
                deleteTree(sandboxes.resolve(sandboxId));
            } catch (IOException e) {
                throw new RuntimeFailure("RemovePodSandboxError", "cannot remove sandbox " + sandboxId + ": " + e.getMessage(), e);
            }
        }
        locks.remove(sandboxId);
    }

    @Override
    public List<SandboxStatus> listSandboxes() throws RuntimeFailure {
        List<SandboxStatus> list = new ArrayList<>();
        for (Records.Sandbox s : readSandboxes()) {
            list.add(new SandboxStatus(s.id(), NAME, s.config(), s.ready(), Instant.parse(s.createdAt())));
        }
        return list;
    }

    // ---- containers ----

    @Override
    public String createContainer(String sandboxId, ContainerConfig requested) throws RuntimeFailure {
        ContainerConfig config = withDefaults(requested);
        Records.Sandbox sandbox = readSandbox(sandboxId).filter(Records.Sandbox::ready).orElseThrow(
                () -> new RuntimeFailure("CreateContainerError", "no ready sandbox " + sandboxId));
        ImageInfo image;
        List<Path> layers;
        try {
            image = images.status(config.image()).orElseThrow(
                    () -> new RuntimeFailure("CreateContainerError", "image " + config.image() + " is not on the node"));
            layers = images.layers(config.image());
        } catch (RuntimeFailure e) {
            throw new RuntimeFailure("CreateContainerError", e.getMessage(), e);
        }
        List<String> args = OciSpec.args(config, image.config());
        if (args.isEmpty()) {
            throw new RuntimeFailure("CreateContainerError", "no command specified (the image has no entrypoint or cmd)");
        }
        for (Mount mount : config.mounts()) {
            if (!Files.exists(Path.of(mount.hostPath()))) {
                throw new RuntimeFailure("CreateContainerError", "mount source " + mount.hostPath() + " does not exist");
            }
        }
        String id = newId();
        ContainerDir dir = new ContainerDir(containers.resolve(id));
        String cgroupPath = sandbox.cgroupParent() + "/" + id;
        synchronized (lock(id)) {
            try {
                Files.createDirectories(dir.rootfs());
                Files.createDirectories(dir.upper());
                Files.createDirectories(dir.work());
                mountOverlay(dir, layers);
                SandboxConfig pod = sandbox.config();
                String hostname = pod.netnsPath() == null ? Files.readString(Path.of("/proc/sys/kernel/hostname")).strip()
                        : pod.hostname();
                OciSpec.EtcFiles etc = etcFiles(dir, hostname);
                String workingDir = config.workingDir() != null && !config.workingDir().isBlank() ? config.workingDir()
                        : image.config().workingDir().isEmpty() ? "/" : image.config().workingDir();
                long[] user = OciSpec.user(config.security(), image.config().user(), dir.rootfs());
                OciSpec.Process process = new OciSpec.Process(args, OciSpec.env(config, image.config(), hostname),
                        workingDir, user[0], user[1]);
                Records.JSON.writeValue(dir.dir().resolve("config.json").toFile(), OciSpec.build(config, process,
                        dir.rootfs(), hostname, pod.netnsPath(), cgroupPath, etc));
                List<String> fifos = new ArrayList<>(List.of("mkfifo", "-m", "600", dir.fifo("stdout").toString(),
                        dir.fifo("stderr").toString()));
                // A terminal's input must not end either: script(1) would send it an end-of-file.
                if (config.stdin() || config.tty()) {
                    fifos.add(dir.fifo("stdin").toString());
                }
                Commands.check(fifos, COMMAND_TIMEOUT);
                cgroups.createMemory(cgroupPath);
                Path logPath = Path.of(config.logPath());
                if (logPath.getParent() != null) {
                    Files.createDirectories(logPath.getParent());
                }
                // The log exists from the start, as with containerd, even if the container never prints.
                touch(logPath);
                String stopSignal = image.config().stopSignal().isEmpty() ? "SIGTERM" : image.config().stopSignal();
                Records.write(dir.record(), new Records.Container(id, sandboxId, config, image.id(), stopSignal,
                        cgroupPath, Instant.now().toString()));
                return id;
            } catch (IOException | RuntimeException e) {
                try {
                    cleanUp(dir, cgroupPath);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                locks.remove(id);
                throw new RuntimeFailure("CreateContainerError", e.getMessage(), e);
            }
        }
    }

    @Override
    public void startContainer(String containerId) throws RuntimeFailure {
        ContainerDir dir = new ContainerDir(containers.resolve(containerId));
        Records.Container record = container(containerId);
        synchronized (lock(containerId)) {
            if (Files.exists(dir.shimPid())) {
                return;
            }
            try {
                // the shim starts it from the container's directory
                Files.write(dir.logWriter(), resource("log-writer.pl"));
                // setsid --fork: the shim is not our child, so no JVM thread waits for it while it runs.
                new ProcessBuilder("setsid", "--fork", "/bin/sh", "-c", new String(resource("shim.sh"), StandardCharsets.UTF_8),
                        "shim", dir.dir().toString(), cgroups.memory(record.cgroupPath()).toString(),
                        record.config().tty() ? "tty" : "", Commands.shellQuote(List.of(runc, "--root",
                                runcRoot.toString(), "--log", "runc.log", "--log-format", "json", "run", "--bundle",
                                dir.dir().toString(), "--pid-file", "runc.pid", containerId)),
                        record.config().logPath())
                        .redirectInput(new File("/dev/null"))
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.dir().resolve("shim.log").toFile()))
                        .redirectErrorStream(true)
                        .start();
                await(() -> Files.exists(dir.shimPid()), Duration.ofSeconds(10), "the shim of " + containerId + " to start");
                await(() -> Files.exists(dir.runcPid()) || Files.exists(dir.exit()), START_TIMEOUT,
                        "runc to start " + containerId);
                await(() -> !dir.execPending(), START_TIMEOUT, "the command of " + containerId + " to start");
            } catch (IOException e) {
                throw new RuntimeFailure("StartError", "cannot start " + containerId + ": " + e.getMessage(), e);
            }
        }
        ContainerStatus status = status(record);
        if ("StartError".equals(status.reason())) {
            throw new RuntimeFailure("StartError", status.message());
        }
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) throws RuntimeFailure {
        stop(List.of(containerId), gracePeriod);
    }

    /** Signals every container, waits for them to exit within the grace period, then kills the rest. */
    private void stop(List<String> ids, Duration gracePeriod) throws RuntimeFailure {
        List<String> running = new ArrayList<>();
        for (String id : ids) {
            Optional<Records.Container> record = readContainer(id);
            ContainerDir dir = new ContainerDir(containers.resolve(id));
            if (record.isPresent() && dir.shimAlive() && !Files.exists(dir.exit())) {
                running.add(id);
                kill(id, record.get().stopSignal());
            } else if (record.isPresent() && Files.exists(dir.shimPid()) && !Files.exists(dir.exit())) {
                // its shim is gone (killed): runc may still run it, with nobody to record the exit
                runcDelete(id);
            }
        }
        long deadline = System.nanoTime() + gracePeriod.toNanos();
        for (String id : running) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            ContainerDir dir = new ContainerDir(containers.resolve(id));
            if (!awaitQuietly(() -> Files.exists(dir.exit()), left)) {
                kill(id, "SIGKILL");
            }
        }
        // The shim records the exit once the log has everything: whoever reads it next sees all of it.
        for (String id : running) {
            ContainerDir dir = new ContainerDir(containers.resolve(id));
            if (!awaitQuietly(() -> Files.exists(dir.exit()) || !dir.shimAlive(), Duration.ofSeconds(30))) {
                throw new RuntimeFailure("StopError", "container " + id + " did not exit after SIGKILL");
            }
        }
    }

    /** Kills the container if it runs and makes runc forget it; harmless when runc does not know it. */
    private void runcDelete(String id) throws RuntimeFailure {
        try {
            Commands.run(List.of(runc, "--root", runcRoot.toString(), "delete", "--force", id), COMMAND_TIMEOUT);
        } catch (IOException e) {
            throw new RuntimeFailure("StopError", "cannot delete " + id + " from runc: " + e.getMessage(), e);
        }
    }

    private void kill(String id, String signal) {
        // Fails once runc run has ended and removed its state: the container is gone then anyway.
        try {
            Commands.run(List.of(runc, "--root", runcRoot.toString(), "kill", id, signal), COMMAND_TIMEOUT);
        } catch (IOException e) {
            System.getLogger(RuncRuntime.class.getName()).log(System.Logger.Level.WARNING,
                    "runc kill " + id + " " + signal + ": " + e.getMessage());
        }
    }

    @Override
    public void removeContainer(String containerId) throws RuntimeFailure {
        ContainerDir dir = new ContainerDir(containers.resolve(containerId));
        synchronized (lock(containerId)) {
            Optional<Records.Container> record = readContainer(containerId);
            if (!Files.isDirectory(dir.dir())) {
                return;
            }
            try {
                runcDelete(containerId);
                // its log writer finishes the log before the shim ends
                awaitQuietly(() -> !dir.shimAlive(), Duration.ofSeconds(30));
                cleanUp(dir, record.map(Records.Container::cgroupPath).orElse(null));
            } catch (IOException e) {
                throw new RuntimeFailure("RemoveContainerError", "cannot remove " + containerId + ": " + e.getMessage(), e);
            }
        }
        locks.remove(containerId);
    }

    private void cleanUp(ContainerDir dir, String cgroupPath) throws IOException {
        if (mounted(dir.rootfs())) {
            Commands.Result result = Commands.run(List.of("umount", dir.rootfs().toString()), COMMAND_TIMEOUT);
            if (!result.ok()) {
                Commands.check(List.of("umount", "-l", dir.rootfs().toString()), COMMAND_TIMEOUT);
            }
        }
        if (cgroupPath != null) {
            cgroups.remove(cgroupPath);
        }
        if (mounted(dir.rootfs())) {
            throw new IOException(dir.rootfs() + " is still mounted");
        }
        deleteTree(dir.dir());
    }

    @Override
    public Optional<ContainerStatus> containerStatus(String containerId) throws RuntimeFailure {
        Optional<Records.Container> record = readContainer(containerId);
        return record.isEmpty() ? Optional.empty() : Optional.of(status(record.get()));
    }

    @Override
    public List<ContainerStatus> listContainers() throws RuntimeFailure {
        List<ContainerStatus> list = new ArrayList<>();
        for (String id : ids(containers)) {
            Optional<Records.Container> record = readContainer(id);
            if (record.isPresent()) {
                list.add(status(record.get()));
            }
        }
        return list;
    }

    private ContainerStatus status(Records.Container record) {
        ContainerDir dir = new ContainerDir(containers.resolve(record.id()));
        Instant started = dir.modified(dir.runcPid()).orElse(null);
        Optional<String> exit = ContainerDir.read(dir.exit());
        ContainerState state;
        Instant finished = null;
        int exitCode = 0;
        String reason = "";
        String message = "";
        if (exit.isPresent() && !exit.get().matches("-?\\d+ \\d+")) {
            state = ContainerState.UNKNOWN;
            message = "its exit record is damaged: " + exit.get();
        } else if (exit.isPresent()) {
            String[] fields = exit.get().split(" ");
            state = ContainerState.EXITED;
            finished = dir.modified(dir.exit()).orElse(null);
            exitCode = Integer.parseInt(fields[0]);
            boolean oomKilled = !fields[1].equals("0");
            if (started == null && exitCode != 0) {
                exitCode = 128;
                reason = "StartError";
                message = runcError(dir);
            } else if (oomKilled) {
                reason = "OOMKilled";
            } else {
                reason = exitCode == 0 ? "Completed" : "Error";
            }
        } else if (!Files.exists(dir.shimPid())) {
            state = ContainerState.CREATED;
        } else if (dir.shimAlive()) {
            state = started != null ? ContainerState.RUNNING : ContainerState.CREATED;
        } else {
            state = ContainerState.UNKNOWN;
            message = "its shim is gone without recording an exit status (the node rebooted?); runc says: " + runcState(record.id());
        }
        ContainerConfig c = record.config();
        return new ContainerStatus(record.id(), record.sandboxId(), NAME, c.name(), c.attempt(), state, c.image(),
                record.imageId(), Instant.parse(record.createdAt()), started, finished, exitCode, reason, message,
                c.logPath(), c.labels(), c.annotations());
    }

    /**
     * Why runc could not start the process, from its JSON log: its final "runc run failed" error,
     * else its last error (the cgroup it could not remove is also logged as one).
     */
    private static String runcError(ContainerDir dir) {
        String failed = "runc run failed: ";
        String last = "runc could not start the container";
        try {
            for (String line : Files.readAllLines(dir.runcLog())) {
                JsonNode entry = line.startsWith("{") ? Records.JSON.readTree(line) : Records.JSON.missingNode();
                if (List.of("error", "fatal").contains(entry.path("level").asText())) {
                    String message = entry.path("msg").asText();
                    if (message.startsWith(failed)) {
                        return message.substring(failed.length());
                    }
                    last = message;
                }
            }
        } catch (IOException unreadable) {
            // keep what we have
        }
        return last;
    }

    private String runcState(String id) {
        try {
            Commands.Result state = Commands.run(List.of(runc, "--root", runcRoot.toString(), "state", id), COMMAND_TIMEOUT);
            return state.ok() ? Records.JSON.readTree(state.output()).path("status").asText() : state.output();
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    // ---- exec ----

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) throws RuntimeFailure {
        return exec.sync(running(containerId), containerId, command, timeout);
    }

    @Override
    public ExecSession exec(String containerId, List<String> command, boolean tty, boolean stdin) throws RuntimeFailure {
        return exec.session(running(containerId), containerId, command, tty, stdin);
    }

    /** Unset resources and security mean none and the defaults. */
    private static ContainerConfig withDefaults(ContainerConfig c) {
        if (c.resources() != null && c.security() != null) {
            return c;
        }
        return new ContainerConfig(c.name(), c.attempt(), c.image(), c.command(), c.args(), c.workingDir(), c.env(),
                c.mounts(), c.logPath(), c.resources() == null ? Resources.NONE : c.resources(),
                c.security() == null ? ContainerConfig.Security.DEFAULT : c.security(), c.stdin(), c.tty(), c.labels(),
                c.annotations());
    }

    private ContainerDir running(String containerId) throws RuntimeFailure {
        ContainerStatus status = containerStatus(containerId).orElseThrow(
                () -> new RuntimeFailure("NotFound", "no container " + containerId));
        if (status.state() != ContainerState.RUNNING) {
            throw new RuntimeFailure("ContainerNotRunning", "container " + containerId + " is " + status.state());
        }
        return new ContainerDir(containers.resolve(containerId));
    }

    // ---- helpers ----

    private OciSpec.EtcFiles etcFiles(ContainerDir dir, String hostname) throws IOException {
        Path hosts = dir.dir().resolve("hosts");
        Files.writeString(hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        Path resolv = dir.dir().resolve("resolv.conf");
        Path hostResolv = Path.of("/etc/resolv.conf");
        Files.write(resolv, Files.exists(hostResolv) ? Files.readAllBytes(hostResolv) : new byte[0]);
        Path hostnameFile = dir.dir().resolve("hostname");
        Files.writeString(hostnameFile, hostname + "\n");
        return new OciSpec.EtcFiles(hosts, resolv, hostnameFile);
    }

    private void mountOverlay(ContainerDir dir, List<Path> layers) throws IOException {
        if (layers.isEmpty()) {
            throw new IOException("the image has no layers");
        }
        List<String> lower = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) {
            lower.add(layers.get(i).toString());
        }
        String options = "lowerdir=" + String.join(":", lower) + ",upperdir=" + dir.upper() + ",workdir=" + dir.work();
        Commands.check(List.of("mount", "-t", "overlay", "overlay", "-o", options, dir.rootfs().toString()),
                COMMAND_TIMEOUT);
    }

    private static boolean mounted(Path path) throws IOException {
        String target = " " + path + " ";
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.anyMatch(line -> line.contains(target));
        }
    }

    private Records.Container container(String id) throws RuntimeFailure {
        return readContainer(id).orElseThrow(() -> new RuntimeFailure("NotFound", "no container " + id));
    }

    private Optional<Records.Container> readContainer(String id) {
        Path file = new ContainerDir(containers.resolve(id)).record();
        try {
            return Files.exists(file) ? Optional.of(Records.read(file, Records.Container.class)) : Optional.empty();
        } catch (IOException damaged) {
            return Optional.empty();
        }
    }

    private Optional<Records.Sandbox> readSandbox(String id) {
        Path file = sandboxes.resolve(id).resolve("sandbox.json");
        try {
            return Files.exists(file) ? Optional.of(Records.read(file, Records.Sandbox.class)) : Optional.empty();
        } catch (IOException damaged) {
            return Optional.empty();
        }
    }

    private List<Records.Sandbox> readSandboxes() throws RuntimeFailure {
        List<Records.Sandbox> list = new ArrayList<>();
        for (String id : ids(sandboxes)) {
            readSandbox(id).ifPresent(list::add);
        }
        return list;
    }

    private List<String> containersOf(String sandboxId) throws RuntimeFailure {
        List<String> list = new ArrayList<>();
        for (String id : ids(containers)) {
            readContainer(id).filter(c -> c.sandboxId().equals(sandboxId)).ifPresent(c -> list.add(id));
        }
        return list;
    }

    private static List<String> ids(Path dir) throws RuntimeFailure {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            entries.forEach(entry -> ids.add(entry.getFileName().toString()));
        } catch (IOException e) {
            throw new RuntimeFailure("RuntimeError", "cannot list " + dir + ": " + e.getMessage(), e);
        }
        return ids;
    }

    private static void write(Path file, Object record) throws RuntimeFailure {
        try {
            Records.write(file, record);
        } catch (IOException e) {
            throw new RuntimeFailure("RuntimeError", "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, key -> new Object());
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = RuncRuntime.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private static void touch(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private interface Condition {
        boolean holds();
    }

    private static void await(Condition condition, Duration timeout, String what) throws IOException {
        if (!awaitQuietly(condition, timeout)) {
            throw new IOException("timed out waiting for " + what);
        }
    }

    private static boolean awaitQuietly(Condition condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
