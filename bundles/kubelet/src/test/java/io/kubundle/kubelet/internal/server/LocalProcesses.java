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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

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
 * not a runtime). The lifecycle methods are not the server's business and fail.
 */
final class LocalProcesses implements ContainerRuntime, PodContainers {
    private final Map<String, Path> logs = new ConcurrentHashMap<>();
    private final Map<String, ContainerState> states = new ConcurrentHashMap<>();

    /** Adds (or replaces) container {@code id}: {@code NS/POD/NAME}, or {@code NS/POD/NAME/previous} for the instance before. */
    void add(String id, Path log, ContainerState state) {
        logs.put(id, log);
        states.put(id, state);
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
        return new ExecSession() {
            @Override
            public OutputStream stdin() {
                return process.getOutputStream();
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
                // no terminal here
            }

            @Override
            public void close() {
                process.destroyForcibly();
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
