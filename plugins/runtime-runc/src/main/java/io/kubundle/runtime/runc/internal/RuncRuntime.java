package io.kubundle.runtime.runc.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxConfig;
import io.kubundle.api.runtime.SandboxStatus;
import io.kubundle.runtime.support.AttachSession;
import io.kubundle.runtime.support.Await;
import io.kubundle.runtime.support.Cgroups;
import io.kubundle.runtime.support.Commands;
import io.kubundle.runtime.support.ContainerDir;
import io.kubundle.runtime.support.ContainerRequest;
import io.kubundle.runtime.support.Locks;
import io.kubundle.runtime.support.LogWriter;
import io.kubundle.runtime.support.ProcessSpec;
import io.kubundle.runtime.support.PodEtcFiles;
import io.kubundle.runtime.support.Records;
import io.kubundle.runtime.support.Sandboxes;
import io.kubundle.runtime.support.StateFiles;

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
    private final Sandboxes sandboxes;
    private final Path containers;
    private final Path runcRoot;
    private final String runc;
    private final Cgroups cgroups;
    private final RuncExec exec;
    private final Locks locks = new Locks();

    @Activate
    public RuncRuntime(@Reference ImageService images, Config config, BundleContext context) throws IOException {
        this(images, StateFiles.rootDir(config.rootDir(), context.getProperty("kubundle.data.dir"), NAME), config.runc(),
                Path.of("/sys/fs/cgroup"));
    }

    RuncRuntime(ImageService images, Path root, String runc, Path cgroupRoot) throws IOException {
        this.images = images;
        // a killed shim can leave a container's processes or its memory holder in the cgroups
        this.cgroups = new Cgroups(cgroupRoot, true);
        // the records and OCI configs hold the containers' environment, secrets included: root only
        this.sandboxes = new Sandboxes(StateFiles.privateDirectory(root.resolve("sandboxes")), cgroups, locks);
        this.containers = StateFiles.privateDirectory(root.resolve("containers"));
        this.runcRoot = StateFiles.privateDirectory(root.resolve("runc"));
        this.runc = resolve(runc);
        this.exec = new RuncExec(this.runc, runcRoot);
        removeOrphans();
    }

    /**
     * Removes what a {@code createContainer} interrupted by a JVM death left: a directory (maybe
     * with its overlay mounted) without a record.
     */
    private void removeOrphans() throws IOException {
        for (Path orphan : StateFiles.orphans(List.of(containers, sandboxes.dir()), ORPHAN_AGE)) {
            new RuncContainerDir(orphan).remove(cgroups, null, COMMAND_TIMEOUT);
        }
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
        return sandboxes.run(config);
    }

    @Override
    public void stopSandbox(String sandboxId, Duration gracePeriod) throws RuntimeFailure {
        Optional<Records.Sandbox> sandbox = sandboxes.read(sandboxId);
        if (sandbox.isEmpty()) {
            return;
        }
        stop(containersOf(sandboxId), gracePeriod);
        sandboxes.markStopped(sandbox.get());
    }

    @Override
    public void removeSandbox(String sandboxId) throws RuntimeFailure {
        Optional<Records.Sandbox> sandbox = sandboxes.read(sandboxId);
        if (sandbox.isEmpty()) {
            return;
        }
        for (String id : containersOf(sandboxId)) {
            removeContainer(id);
        }
        sandboxes.remove(sandbox.get());
    }

    @Override
    public List<SandboxStatus> listSandboxes() throws RuntimeFailure {
        return sandboxes.list(NAME);
    }

    // ---- containers ----

    @Override
    public String createContainer(String sandboxId, ContainerConfig requested) throws RuntimeFailure {
        ContainerRequest request = ContainerRequest.check(sandboxes, images, sandboxId, requested);
        ContainerConfig config = request.config();
        Records.Sandbox sandbox = request.sandbox();
        ImageInfo image = request.image();
        String id = StateFiles.newId();
        RuncContainerDir dir = new RuncContainerDir(containers.resolve(id));
        String cgroupPath = sandbox.cgroupParent() + "/" + id;
        synchronized (locks.of(id)) {
            try {
                Files.createDirectories(dir.rootfs());
                Files.createDirectories(dir.upper());
                Files.createDirectories(dir.work());
                dir.mountOverlay(request.layers(), COMMAND_TIMEOUT);
                SandboxConfig pod = sandbox.config();
                PodEtcFiles written = PodEtcFiles.write(dir.dir(), pod);
                String hostname = written.hostName();
                OciSpec.EtcFiles etc = new OciSpec.EtcFiles(written.hosts(), written.resolvConf(), written.hostname());
                String workingDir = config.workingDir() != null && !config.workingDir().isBlank() ? config.workingDir()
                        : image.config().workingDir().isEmpty() ? "/" : image.config().workingDir();
                long[] user = OciSpec.user(config.security(), image.config().user(), dir.rootfs());
                Records.Process process = new Records.Process(request.args(),
                        ProcessSpec.env(config, image.config(), hostname), workingDir, user[0], user[1]);
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
                StateFiles.touch(logPath);
                String stopSignal = image.config().stopSignal().isEmpty() ? "SIGTERM" : image.config().stopSignal();
                Records.write(dir.record(), new ContainerRecord(id, sandboxId, config, image.id(), stopSignal,
                        cgroupPath, Instant.now().toString()));
                return id;
            } catch (IOException | RuntimeException e) {
                try {
                    dir.remove(cgroups, cgroupPath, COMMAND_TIMEOUT);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                locks.forget(id);
                throw new RuntimeFailure("CreateContainerError", e.getMessage(), e);
            }
        }
    }

    @Override
    public void startContainer(String containerId) throws RuntimeFailure {
        RuncContainerDir dir = new RuncContainerDir(containers.resolve(containerId));
        ContainerRecord record = container(containerId);
        synchronized (locks.of(containerId)) {
            if (Files.exists(dir.shimPid())) {
                return;
            }
            try {
                // the shim starts it from the container's directory
                Files.writeString(dir.logWriter(), LogWriter.SCRIPT);
                // setsid --fork: the shim is not our child, so no JVM thread waits for it while it runs.
                new ProcessBuilder("setsid", "--fork", "/bin/sh", "-c", new String(resource("shim.sh"), StandardCharsets.UTF_8),
                        "shim", dir.dir().toString(), cgroups.memory(record.cgroupPath()).toString(),
                        record.config().tty() ? "tty" : "", Commands.shellQuote(List.of(runc, "--root",
                                runcRoot.toString(), "--log", "runc.log", "--log-format", "json", "run", "--bundle",
                                dir.dir().toString(), "--pid-file", "runc.pid", containerId)),
                        record.config().logPath(), String.join(" ", dir.logWriterArgs(record.config())))
                        .redirectInput(new File("/dev/null"))
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.dir().resolve("shim.log").toFile()))
                        .redirectErrorStream(true)
                        .start();
                Await.until(() -> Files.exists(dir.shimPid()), Duration.ofSeconds(10), "the shim of " + containerId + " to start");
                Await.until(() -> Files.exists(dir.runcPid()) || Files.exists(dir.exit()), START_TIMEOUT,
                        "runc to start " + containerId);
                Await.until(() -> !dir.execPending(), START_TIMEOUT, "the command of " + containerId + " to start");
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
            Optional<ContainerRecord> record = readContainer(id);
            RuncContainerDir dir = new RuncContainerDir(containers.resolve(id));
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
            RuncContainerDir dir = new RuncContainerDir(containers.resolve(id));
            if (!Await.quietly(() -> Files.exists(dir.exit()), left)) {
                kill(id, "SIGKILL");
            }
        }
        // The shim records the exit once the log has everything: whoever reads it next sees all of it.
        for (String id : running) {
            RuncContainerDir dir = new RuncContainerDir(containers.resolve(id));
            if (!Await.quietly(() -> Files.exists(dir.exit()) || !dir.shimAlive(), Duration.ofSeconds(30))) {
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
        RuncContainerDir dir = new RuncContainerDir(containers.resolve(containerId));
        synchronized (locks.of(containerId)) {
            Optional<ContainerRecord> record = readContainer(containerId);
            if (!Files.isDirectory(dir.dir())) {
                return;
            }
            try {
                runcDelete(containerId);
                // its log writer finishes the log before the shim ends
                Await.quietly(() -> !dir.shimAlive(), Duration.ofSeconds(30));
                dir.remove(cgroups, record.map(ContainerRecord::cgroupPath).orElse(null), COMMAND_TIMEOUT);
            } catch (IOException e) {
                throw new RuntimeFailure("RemoveContainerError", "cannot remove " + containerId + ": " + e.getMessage(), e);
            }
        }
        locks.forget(containerId);
    }

    @Override
    public Optional<ContainerStatus> containerStatus(String containerId) throws RuntimeFailure {
        Optional<ContainerRecord> record = readContainer(containerId);
        return record.isEmpty() ? Optional.empty() : Optional.of(status(record.get()));
    }

    @Override
    public List<ContainerStatus> listContainers() throws RuntimeFailure {
        List<ContainerStatus> list = new ArrayList<>();
        for (String id : StateFiles.ids(containers)) {
            Optional<ContainerRecord> record = readContainer(id);
            if (record.isPresent()) {
                list.add(status(record.get()));
            }
        }
        return list;
    }

    private ContainerStatus status(ContainerRecord record) {
        RuncContainerDir dir = new RuncContainerDir(containers.resolve(record.id()));
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
    private static String runcError(RuncContainerDir dir) {
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

    /**
     * Through the container's log writer ({@link AttachSession}); a terminal is resized as an exec's:
     * script(1)'s terminal, which runc copies to the container's.
     */
    @Override
    public ExecSession attach(String containerId, boolean stdin, boolean tty) throws RuntimeFailure {
        RuncContainerDir dir = running(containerId);
        ContainerConfig config = container(containerId).config();
        return AttachSession.open(dir, config, containerId, stdin, config.tty() ? (columns, rows) -> resize(dir, columns, rows) : null);
    }

    /** Sizes the terminal of the container's {@code runc run}: script(1)'s, whose child runc is. */
    private static void resize(RuncContainerDir dir, int columns, int rows) {
        Optional<ProcessHandle> shim = ContainerDir.read(dir.shimPid()).map(Long::parseLong).flatMap(ProcessHandle::of);
        Optional<ProcessHandle> runc = shim.stream().flatMap(ProcessHandle::children)
                .filter(child -> child.info().command().map(command -> command.endsWith("/script")).orElse(false))
                .flatMap(ProcessHandle::children).findFirst();
        if (runc.isPresent()) {
            RuncExecSession.resize(runc.get(), columns, rows);
        }
    }

    /** Unset resources and security mean none and the defaults. */
    private RuncContainerDir running(String containerId) throws RuntimeFailure {
        ContainerStatus status = containerStatus(containerId).orElseThrow(
                () -> new RuntimeFailure("NotFound", "no container " + containerId));
        if (status.state() != ContainerState.RUNNING) {
            throw new RuntimeFailure("ContainerNotRunning", "container " + containerId + " is " + status.state());
        }
        return new RuncContainerDir(containers.resolve(containerId));
    }

    // ---- helpers ----

    private ContainerRecord container(String id) throws RuntimeFailure {
        return readContainer(id).orElseThrow(() -> new RuntimeFailure("NotFound", "no container " + id));
    }

    private Optional<ContainerRecord> readContainer(String id) {
        Path file = new RuncContainerDir(containers.resolve(id)).record();
        try {
            return Files.exists(file) ? Optional.of(Records.read(file, ContainerRecord.class)) : Optional.empty();
        } catch (IOException damaged) {
            return Optional.empty();
        }
    }

    private List<String> containersOf(String sandboxId) throws RuntimeFailure {
        List<String> list = new ArrayList<>();
        for (String id : StateFiles.ids(containers)) {
            readContainer(id).filter(c -> c.sandboxId().equals(sandboxId)).ifPresent(c -> list.add(id));
        }
        return list;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = RuncRuntime.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
