package io.kubundle.runtime.nativ.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ContainerState;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.ExecResult;
import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.ImageService;
import io.kubundle.api.runtime.ImageService.ImageInfo;
import io.kubundle.api.runtime.Mount;
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
 * The {@code native} container runtime: no runc. A container is a process tree in namespaces made
 * by util-linux ({@code nsenter --net} into the pod's network namespace, {@code unshare} for mount,
 * UTS, IPC and pid), chrooted into an overlayfs of the image's layers, in cgroup v1 groups the
 * runtime writes itself, under a detached shim that outlives this object (see README). Closing it
 * (bundle stop or swap) stops reading the containers' output and leaves them running; a new
 * instance on the same root directory adopts them.
 */
@Component(service = ContainerRuntime.class, property = ContainerRuntime.NAME_PROPERTY + "=" + NativeRuntime.NAME,
        configurationPid = NativeRuntime.PID)
@Designate(ocd = NativeRuntime.Config.class)
public final class NativeRuntime implements ContainerRuntime, AutoCloseable {
    static final String PID = "io.kubundle.runtime.native";
    static final String NAME = "native";

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ORPHAN_AGE = Duration.ofMinutes(1);
    private static final Duration PROBE_AGE = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger(NativeRuntime.class.getName());

    @ObjectClassDefinition(name = "Kubundle native runtime",
            description = "Runs pod containers with util-linux namespaces, chroot and cgroupfs, without runc.")
    public @interface Config {
        @AttributeDefinition(description = "State directory (sandboxes, containers); "
                + "empty for <kubundle.data.dir>/runtime/native")
        String rootDir() default "";
    }

    private final ImageService images;
    private final Sandboxes sandboxes;
    private final Path containers;
    private final Cgroups cgroups;
    private final Launch.Binaries bin;
    private final Launch launch;
    private Signals signals;
    private String signalsProblem;
    private final Locks locks = new Locks();
    private volatile Availability probed;
    private volatile long probedAt;

    @Activate
    public NativeRuntime(@Reference ImageService images, Config config, BundleContext context) throws IOException {
        this(images, StateFiles.rootDir(config.rootDir(), context.getProperty("kubundle.data.dir"), NAME),
                Path.of("/sys/fs/cgroup"));
    }

    NativeRuntime(ImageService images, Path root, Path cgroupRoot) throws IOException {
        this.images = images;
        this.cgroups = new Cgroups(cgroupRoot);
        // the records and env files hold the containers' environment, secrets included: root only
        this.sandboxes = new Sandboxes(StateFiles.privateDirectory(root.resolve("sandboxes")), cgroups, locks);
        this.containers = StateFiles.privateDirectory(root.resolve("containers"));
        this.bin = new Launch.Binaries(Launch.find("nsenter"), Launch.find("unshare"), Launch.find("setpriv"),
                Launch.find("env"));
        this.launch = new Launch(bin);
        removeOrphans();
    }

    /**
     * Removes what a {@code createContainer} interrupted by a JVM death left: a directory (maybe
     * with its overlay mounted) without a record.
     */
    private void removeOrphans() throws IOException {
        for (Path orphan : StateFiles.orphans(List.of(containers, sandboxes.dir()), ORPHAN_AGE)) {
            new NativeContainerDir(orphan).remove(cgroups, null, COMMAND_TIMEOUT);
        }
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

    /** Checked for real (namespaces made, a mount in them) at most every 30 s: the kubelet asks often. */
    @Override
    public Availability availability() {
        Availability last = probed;
        if (last != null && System.nanoTime() - probedAt < PROBE_AGE.toNanos()) {
            return last;
        }
        Availability now = probe();
        probed = now;
        probedAt = System.nanoTime();
        return now;
    }

    /**
     * jnr-ffi, loaded at first use rather than at activation: its code generation takes a while, and
     * the kubelet should have this runtime (and find its containers) as early as the others. If it
     * cannot load, availability() says why and stopping falls back to kill(1).
     */
    private synchronized Optional<Signals> signals() {
        if (signals == null && signalsProblem == null) {
            try {
                signals = new Signals();
            } catch (RuntimeException | LinkageError e) {
                signalsProblem = "jnr-ffi cannot call the C library: " + e;
            }
        }
        return Optional.ofNullable(signals);
    }

    private Availability probe() {
        Optional<Signals> libc = signals();
        if (libc.isEmpty()) {
            return Availability.no(signalsProblem);
        }
        try {
            if (!libc.get().works()) {
                return Availability.no("kill(2) through jnr-ffi does not work");
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
            for (List<String> check : List.of(List.of(bin.nsenter(), "--version"), List.of(bin.setpriv(), "--version"),
                    List.of(bin.unshare(), "--mount", "--uts", "--ipc", "--pid", "--fork", "--kill-child", "--mount-proc",
                            "mount", "-t", "tmpfs", "tmpfs", "/tmp"))) {
                Commands.Result result = Commands.run(check, Duration.ofSeconds(10));
                if (!result.ok()) {
                    return Availability.no(String.join(" ", check) + " failed: " + result.output());
                }
            }
            return Availability.yes();
        } catch (IOException e) {
            return Availability.no("cannot run util-linux's unshare, nsenter, setpriv or mount: " + e.getMessage());
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
        NativeContainerDir dir = new NativeContainerDir(containers.resolve(id));
        String cgroupPath = sandbox.cgroupParent() + "/" + id;
        synchronized (locks.of(id)) {
            try {
                Files.createDirectories(dir.rootfs());
                Files.createDirectories(dir.upper());
                Files.createDirectories(dir.work());
                dir.mountOverlay(request.layers(), COMMAND_TIMEOUT);
                SandboxConfig pod = sandbox.config();
                String hostname = PodEtcFiles.write(dir.dir(), pod).hostName();
                RootFs rootfs = new RootFs(dir.rootfs(), config.mounts());
                String workingDir = config.workingDir() != null && !config.workingDir().isBlank() ? config.workingDir()
                        : image.config().workingDir().isEmpty() ? "/" : image.config().workingDir();
                // Docker makes a missing working directory.
                rootfs.directory(workingDir);
                long[] user = rootfs.user(config.security(), image.config().user());
                Records.Process process = new Records.Process(request.args(),
                        ProcessSpec.env(config, image.config(), hostname), workingDir, user[0], user[1]);
                Launch.writeEnv(dir.env(), process.env());
                Launch.Targets targets = new Launch.Targets(rootfs.directory("/proc"), rootfs.directory("/dev"),
                        rootfs.directory("/sys"), rootfs.file("/etc/hosts"), rootfs.file("/etc/resolv.conf"),
                        rootfs.file("/etc/hostname"));
                List<Path> mountTargets = new ArrayList<>();
                for (Mount mount : config.mounts()) {
                    mountTargets.add(Files.isDirectory(Path.of(mount.hostPath())) ? rootfs.directory(mount.containerPath())
                            : rootfs.file(mount.containerPath()));
                }
                List<String> line = launch.container(dir.dir(), dir.rootfs(), config, pod.netnsPath(),
                        pod.netnsPath() == null ? null : hostname, targets, mountTargets, process);
                List<String> fifos = new ArrayList<>(List.of("mkfifo", "-m", "600", dir.fifo("stdout").toString(),
                        dir.fifo("stderr").toString()));
                if (config.stdin()) {
                    fifos.add(dir.fifo("stdin").toString());
                }
                Commands.check(fifos, COMMAND_TIMEOUT);
                cgroups.create(cgroupPath, config.resources());
                Path logPath = Path.of(config.logPath());
                if (logPath.getParent() != null) {
                    Files.createDirectories(logPath.getParent());
                }
                // The log exists from the start, as with containerd, even if the container never prints.
                StateFiles.touch(logPath);
                String stopSignal = image.config().stopSignal().isEmpty() ? "SIGTERM" : image.config().stopSignal();
                Signals.number(stopSignal); // an unknown one fails the creation, not the stop
                Records.write(dir.record(), new ContainerRecord(id, sandboxId, config, image.id(), stopSignal,
                        cgroupPath, Instant.now().toString(), process, line));
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
        NativeContainerDir dir = new NativeContainerDir(containers.resolve(containerId));
        ContainerRecord record = container(containerId);
        synchronized (locks.of(containerId)) {
            if (Files.exists(dir.shimPid()) || Files.exists(dir.exit())) {
                return;
            }
            try {
                Optional<String> problem = new RootFs(dir.rootfs(), record.config().mounts())
                        .commandProblem(record.process().args().get(0), path(record.process().env()));
                if (problem.isPresent()) {
                    // recorded as a container that could not start, as runc leaves one
                    Files.writeString(dir.initLog(), problem.get() + "\n");
                    Path tmp = dir.dir().resolve("exit.tmp");
                    Files.writeString(tmp, "128 0\n");
                    Files.move(tmp, dir.exit(), StandardCopyOption.ATOMIC_MOVE);
                    throw new RuntimeFailure("StartError", problem.get());
                }
                // the shim starts it from the container's directory
                Files.writeString(dir.logWriter(), LogWriter.SCRIPT);
                List<String> shim = new ArrayList<>(List.of("setsid", "--fork", "/bin/sh", "-c", Launch.SHIM, "shim",
                        dir.dir().toString(), cgroups.memory(record.cgroupPath()).toString(),
                        cgroups.cpu(record.cgroupPath()).toString(), record.config().logPath(),
                        String.join(" ", dir.logWriterArgs(record.config()))));
                shim.addAll(record.launch());
                // setsid --fork: the shim is not our child, so no JVM thread waits for it while it runs.
                new ProcessBuilder(shim)
                        .redirectInput(new File("/dev/null"))
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.dir().resolve("shim.log").toFile()))
                        .redirectErrorStream(true)
                        .start();
                Await.until(() -> Files.exists(dir.shimPid()), Duration.ofSeconds(10), "the shim of " + containerId + " to start");
                Await.until(() -> Files.exists(dir.pid()) || Files.exists(dir.exit()), START_TIMEOUT,
                        "the container " + containerId + " to start");
            } catch (IOException e) {
                throw new RuntimeFailure("StartError", "cannot start " + containerId + ": " + e.getMessage(), e);
            }
        }
        ContainerStatus status = status(record);
        if ("StartError".equals(status.reason())) {
            throw new RuntimeFailure("StartError", status.message());
        }
    }

    /** The value of PATH in an environment list. */
    private static String path(List<String> env) {
        return env.stream().filter(e -> e.startsWith("PATH=")).map(e -> e.substring(5)).reduce((a, b) -> b)
                .orElse(ProcessSpec.DEFAULT_PATH.substring(5));
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
            NativeContainerDir dir = new NativeContainerDir(containers.resolve(id));
            if (record.isPresent() && dir.shimAlive() && !Files.exists(dir.exit())) {
                running.add(id);
                signal(record.get(), Signals.number(record.get().stopSignal()));
            }
        }
        long deadline = System.nanoTime() + gracePeriod.toNanos();
        for (String id : running) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            NativeContainerDir dir = new NativeContainerDir(containers.resolve(id));
            if (!Await.quietly(() -> Files.exists(dir.exit()), left)) {
                readContainer(id).ifPresent(record -> signal(record, Signals.KILL));
            }
        }
        // The shim records the exit once the log has everything: whoever reads it next sees all of it.
        for (String id : running) {
            NativeContainerDir dir = new NativeContainerDir(containers.resolve(id));
            if (!Await.quietly(() -> Files.exists(dir.exit()) || !dir.shimAlive(), Duration.ofSeconds(30))) {
                throw new RuntimeFailure("StopError", "container " + id + " did not exit after SIGKILL");
            }
        }
    }

    /**
     * Signals the container's first process by its host pid, once it is sure the pid is still that
     * process (it is in the container's memory cgroup). SIGKILL to a pid namespace's first process
     * ends every process in it. Before init recorded the pid (the container is being set up), SIGKILL
     * goes to everything under the shim instead.
     */
    private void signal(ContainerRecord record, int signal) {
        NativeContainerDir dir = new NativeContainerDir(containers.resolve(record.id()));
        Optional<Long> pid = ContainerDir.read(dir.pid()).map(Long::parseLong).filter(p -> inCgroup(p, record.cgroupPath()));
        if (pid.isPresent()) {
            Optional<Signals> libc = signals();
            boolean sent = libc.isPresent() ? libc.get().send(pid.get(), signal) : killCommand(pid.get(), signal);
            if (!sent) {
                LOG.log(System.Logger.Level.DEBUG, "container " + record.id() + " was gone before signal " + signal);
            }
        } else if (signal == Signals.KILL) {
            ContainerDir.read(dir.shimPid()).flatMap(shim -> ProcessHandle.of(Long.parseLong(shim)))
                    .ifPresent(shim -> shim.descendants().forEach(ProcessHandle::destroyForcibly));
        }
    }

    private static boolean killCommand(long pid, int signal) {
        try {
            return Commands.run(List.of("kill", "-s", Integer.toString(signal), Long.toString(pid)), COMMAND_TIMEOUT).ok();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean inCgroup(long pid, String cgroupPath) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            return lines.anyMatch(line -> line.matches("\\d+:([^:]*,)?memory(,[^:]*)?:/" + Pattern.quote(cgroupPath)));
        } catch (IOException | UncheckedIOException gone) {
            return false;
        }
    }

    @Override
    public void removeContainer(String containerId) throws RuntimeFailure {
        NativeContainerDir dir = new NativeContainerDir(containers.resolve(containerId));
        synchronized (locks.of(containerId)) {
            Optional<ContainerRecord> record = readContainer(containerId);
            if (!Files.isDirectory(dir.dir())) {
                return;
            }
            try {
                if (dir.shimAlive()) {
                    record.ifPresent(r -> signal(r, Signals.KILL));
                    // its log writer finishes the log before the shim ends
                    Await.quietly(() -> !dir.shimAlive(), Duration.ofSeconds(30));
                }
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
        NativeContainerDir dir = new NativeContainerDir(containers.resolve(record.id()));
        Instant started = dir.modified(dir.pid()).orElse(null);
        Optional<String> exit = ContainerDir.read(dir.exit());
        ContainerState state;
        Instant finished = null;
        int exitCode = 0;
        String reason = "";
        String message = "";
        if (exit.isPresent()) {
            String[] fields = exit.get().split(" ");
            state = ContainerState.EXITED;
            finished = dir.modified(dir.exit()).orElse(null);
            exitCode = Integer.parseInt(fields[0]);
            boolean oomKilled = fields.length > 1 && !fields[1].equals("0");
            if (started == null && exitCode != 0) {
                exitCode = 128;
                reason = "StartError";
                message = ContainerDir.read(dir.initLog()).filter(m -> !m.isEmpty())
                        .orElse("the container could not be set up");
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
            message = "its shim is gone without recording an exit status (the node rebooted?)";
        }
        ContainerConfig c = record.config();
        return new ContainerStatus(record.id(), record.sandboxId(), NAME, c.name(), c.attempt(), state, c.image(),
                record.imageId(), Instant.parse(record.createdAt()), started, finished, exitCode, reason, message,
                c.logPath(), c.labels(), c.annotations());
    }

    // ---- exec ----

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) throws RuntimeFailure {
        return NativeExec.sync(execLine(containerId, command), command, timeout);
    }

    @Override
    public ExecSession exec(String containerId, List<String> command, boolean tty, boolean stdin) throws RuntimeFailure {
        return NativeExec.session(execLine(containerId, command), command, tty, stdin);
    }

    /**
     * Through the container's log writer ({@link AttachSession}). A container's terminal is ignored by
     * this runtime (see README), so there is nothing to resize.
     */
    @Override
    public ExecSession attach(String containerId, boolean stdin, boolean tty) throws RuntimeFailure {
        ContainerRecord record = container(containerId);
        ContainerStatus status = status(record);
        if (status.state() != ContainerState.RUNNING) {
            throw new RuntimeFailure("ContainerNotRunning", "container " + containerId + " is " + status.state());
        }
        return AttachSession.open(new NativeContainerDir(containers.resolve(containerId)), record.config(), containerId, stdin, null);
    }

    /** The command line of an exec in a running container; a command it cannot find is a StartError. */
    private List<String> execLine(String containerId, List<String> command) throws RuntimeFailure {
        if (command.isEmpty()) {
            throw new RuntimeFailure("StartError", "no command to exec");
        }
        ContainerRecord record = container(containerId);
        NativeContainerDir dir = new NativeContainerDir(containers.resolve(containerId));
        ContainerStatus status = status(record);
        Optional<Long> pid = ContainerDir.read(dir.pid()).map(Long::parseLong);
        if (status.state() != ContainerState.RUNNING || pid.isEmpty()) {
            throw new RuntimeFailure("ContainerNotRunning", "container " + containerId + " is " + status.state());
        }
        Records.Process process = record.process();
        try {
            Optional<String> problem = new RootFs(dir.rootfs(), record.config().mounts()).commandProblem(command.get(0),
                    path(process.env()));
            if (problem.isPresent()) {
                throw new RuntimeFailure("StartError", problem.get());
            }
        } catch (IOException e) {
            throw new RuntimeFailure("StartError", "cannot look for " + command.get(0) + ": " + e.getMessage(), e);
        }
        Records.Process exec = new Records.Process(command, process.env(), process.cwd(), process.uid(), process.gid());
        return launch.exec(pid.get(), cgroups.memory(record.cgroupPath()), cgroups.cpu(record.cgroupPath()), dir.rootfs(),
                dir.env(), exec, record.config().security().privileged());
    }

    /** Unset resources and security mean none and the defaults. */
    // ---- helpers ----

    private ContainerRecord container(String id) throws RuntimeFailure {
        return readContainer(id).orElseThrow(() -> new RuntimeFailure("NotFound", "no container " + id));
    }

    private Optional<ContainerRecord> readContainer(String id) {
        Path file = new NativeContainerDir(containers.resolve(id)).record();
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
}
