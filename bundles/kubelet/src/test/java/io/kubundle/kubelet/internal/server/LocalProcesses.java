package io.kubundle.kubelet.internal.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ContainerState;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.ExecResult;
import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxConfig;
import io.kubundle.api.runtime.SandboxStatus;

/**
 * The server's view of a node for its tests: containers are names with a log file and a state the
 * test sets, and exec runs the command as a local process (no namespaces: this tests the server,
 * not a runtime). A container added with {@link #addConsole} is a local process too, whose stdin,
 * stdout and stderr an attach gets (one attach at a time); others cannot be attached to, as a
 * runtime without attach. The lifecycle methods are not the server's business and fail.
 */
final class LocalProcesses implements ContainerRuntime, PodContainers {
    private final Map<String, Path> logs = new ConcurrentHashMap<>();
    private final Map<String, ContainerState> states = new ConcurrentHashMap<>();
    private final Map<String, Process> consoles = new ConcurrentHashMap<>();
    private final Set<String> withStdin = ConcurrentHashMap.newKeySet();
    /** The last size an attach asked for, per container: {columns, rows}. */
    final Map<String, int[]> sizes = new ConcurrentHashMap<>();

    /** Adds (or replaces) container {@code id}: {@code NS/POD/NAME}, or {@code NS/POD/NAME/previous} for the instance before. */
    void add(String id, Path log, ContainerState state) {
        logs.put(id, log);
        states.put(id, state);
    }

    /** Adds a running container {@code id} whose process is {@code command}; {@code stdin} as the pod's {@code stdin: true}. */
    void addConsole(String id, Path log, List<String> command, boolean stdin) throws IOException {
        Process process = new ProcessBuilder(command).start();
        if (stdin) {
            withStdin.add(id);
        } else {
            process.getOutputStream().close();
        }
        consoles.put(id, process);
        add(id, log, ContainerState.RUNNING);
    }

    /** Kills what {@link #addConsole} started. */
    void killConsoles() {
        consoles.values().forEach(Process::destroyForcibly);
    }

    void exit(String id) {
        states.put(id, ContainerState.EXITED);
    }

    @Override
    public Optional<LocatedContainer> find(String namespace, String pod, String container, boolean previous) {
        String id = namespace + "/" + pod + "/" + container + (previous ? "/previous" : "");
        Path log = logs.get(id);
        return log == null ? Optional.empty() : Optional.of(new LocatedContainer(id, log, states.get(id) == ContainerState.RUNNING, this));
    }

    /** Pods share the host's network here, as hostNetwork pods do. */
    @Override
    public SocketChannel connect(String namespace, String pod, int port) throws IOException {
        return SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
    }

    @Override
    public Optional<ContainerStatus> containerStatus(String containerId) {
        ContainerState state = states.get(containerId);
        if (state == null) {
            return Optional.empty();
        }
        return Optional.of(new ContainerStatus(containerId, "sandbox", name(), containerId, 0, state, "image", "sha256:0", Instant.EPOCH,
                null, null, 0, "", "", logs.get(containerId).toString(), Map.of(), Map.of()));
    }

    @Override
    public ExecSession exec(String containerId, List<String> command, boolean tty, boolean stdin) throws RuntimeFailure {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(tty);
            if (!stdin) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            process = builder.start();
        } catch (java.io.IOException e) {
            throw new RuntimeFailure("StartError", e.getMessage(), e);
        }
        return session(process, true, process::destroyForcibly, (columns, rows) -> { });
    }

    @Override
    public ExecSession attach(String containerId, boolean stdin, boolean tty) throws RuntimeFailure {
        Process process = consoles.get(containerId);
        if (process == null) {
            return ContainerRuntime.super.attach(containerId, stdin, tty);
        }
        if (stdin && !withStdin.contains(containerId)) {
            throw new RuntimeFailure("AttachError", "container " + containerId + " was not created with stdin: true");
        }
        // closing detaches: the process runs on
        return session(process, stdin, () -> { }, (columns, rows) -> sizes.put(containerId, new int[] {columns, rows}));
    }

    /** A process's streams as a session; {@code close} and {@code resize} as given. */
    private static ExecSession session(Process process, boolean stdin, Runnable close, BiConsumer<Integer, Integer> resize) {
        return new ExecSession() {
            @Override
            public OutputStream stdin() {
                return stdin ? process.getOutputStream() : OutputStream.nullOutputStream();
            }

            @Override
            public InputStream stdout() {
                return process.getInputStream();
            }

            @Override
            public InputStream stderr() {
                return process.getErrorStream();
            }

            @Override
            public CompletableFuture<Integer> exitCode() {
                return process.onExit().thenApply(Process::exitValue);
            }

            @Override
            public void resize(int columns, int rows) {
                resize.accept(columns, rows);
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public String runSandbox(SandboxConfig config) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void stopSandbox(String sandboxId, Duration gracePeriod) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeSandbox(String sandboxId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<SandboxStatus> listSandboxes() {
        throw new UnsupportedOperationException();
    }

    @Override
    public String createContainer(String sandboxId, ContainerConfig config) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void startContainer(String containerId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void removeContainer(String containerId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<ContainerStatus> listContainers() {
        throw new UnsupportedOperationException();
    }

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
        throw new UnsupportedOperationException();
    }
}
