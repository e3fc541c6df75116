package io.kubundle.api.runtime;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs pod sandboxes and their containers, as CRI's RuntimeService does.
 *
 * <p>Register the service with a {@value #NAME_PROPERTY} property ({@code runc}, {@code native},
 * ...) equal to {@link #name()}. Every method is thread-safe. Identifiers are opaque strings the
 * runtime chooses, unique on the node and stable across restarts of the runtime and the kubelet.
 */
@ConsumerType
public interface ContainerRuntime {

    /** Service property naming a runtime; the kubelet's configuration selects one by it. */
    String NAME_PROPERTY = "name";

    /** The runtime's name, the value of its {@value #NAME_PROPERTY} property. */
    String name();

    /** Whether this runtime can run on this machine now (its binaries present, say), and why not. */
    Availability availability();

    /**
     * Makes a pod sandbox: the place the pod's containers share (network namespace, hostname,
     * cgroup parent). A sandbox with the same {@link SandboxConfig#uid()} that is ready already is
     * returned, not made twice.
     *
     * @return the sandbox's id
     * @throws RuntimeFailure if it cannot be made; nothing is left behind
     */
    String runSandbox(SandboxConfig config) throws RuntimeFailure;

    /**
     * Stops every container of the sandbox (as {@link #stopContainer} with the given grace) and
     * marks it not ready. Idempotent: an unknown or stopped sandbox is not an error.
     */
    void stopSandbox(String sandboxId, Duration gracePeriod) throws RuntimeFailure;

    /** Removes a stopped sandbox and its containers, with their state on disk. Idempotent. */
    void removeSandbox(String sandboxId) throws RuntimeFailure;

    /** Every sandbox this runtime knows, ready or not. */
    List<SandboxStatus> listSandboxes() throws RuntimeFailure;

    /**
     * Creates a container in a ready sandbox from an image the {@link ImageService} has, without
     * starting it. The image's entrypoint, command, environment, working directory and user apply
     * where the config leaves them unset, as Docker and containerd do.
     *
     * @return the container's id
     * @throws RuntimeFailure with reason {@code CreateContainerError} (bad command, missing image,
     *         a mount that cannot be made) and nothing left behind
     */
    String createContainer(String sandboxId, ContainerConfig config) throws RuntimeFailure;

    /**
     * Starts a created container. A command that does not exist fails here with reason
     * {@code StartError} (or leaves the container exited with code 127 or 128, reason
     * {@code StartError}); the container then is {@link ContainerState#EXITED}.
     */
    void startContainer(String containerId) throws RuntimeFailure;

    /**
     * Stops a container: SIGTERM (or the image's stop signal), then SIGKILL after
     * {@code gracePeriod}. Returns when it has exited. Idempotent.
     */
    void stopContainer(String containerId, Duration gracePeriod) throws RuntimeFailure;

    /** Removes an exited container and its state on disk, keeping its log file. Idempotent. */
    void removeContainer(String containerId) throws RuntimeFailure;

    /** A container's status, or empty if the runtime does not know it. */
    Optional<ContainerStatus> containerStatus(String containerId) throws RuntimeFailure;

    /** Every container this runtime knows, in any state. */
    List<ContainerStatus> listContainers() throws RuntimeFailure;

    /**
     * Runs a command in a running container and waits for it, for exec probes and
     * {@code kubectl exec} without a terminal. Output beyond 64 KiB per stream is dropped.
     *
     * @throws RuntimeFailure if the command cannot be started or does not finish within
     *         {@code timeout} (reason {@code Timeout}; it is killed)
     */
    ExecResult execSync(String containerId, List<String> command, Duration timeout) throws RuntimeFailure;

    /**
     * Starts a command in a running container with its streams attached, for {@code kubectl exec}
     * and {@code kubectl cp}. The caller must {@link ExecSession#close() close} the session.
     */
    ExecSession exec(String containerId, List<String> command, boolean tty, boolean stdin) throws RuntimeFailure;

    /**
     * Attaches to a running container's own streams, for {@code kubectl attach} and
     * {@code kubectl run -i}: the session's {@link ExecSession#stdout() stdout} and
     * {@link ExecSession#stderr() stderr} carry what the container prints from now on (with a
     * terminal, everything is on stdout), as it prints it; with {@code stdin}, what the caller
     * writes to {@link ExecSession#stdin()} goes to the container's stdin. Several attaches may be
     * open at once, and attaches over time share one stdin, which stays open between them
     * ({@link ContainerConfig#stdin()}), or is closed when the first attach that wrote to it ends
     * its input or is closed ({@link ContainerConfig#stdinOnce()}). {@link ExecSession#resize}
     * sizes the container's terminal ({@link ContainerConfig#tty()}), where the runtime can.
     *
     * <p>The output streams end when the container's output ends (it exited); then
     * {@link ExecSession#exitCode()} completes with its exit code, or {@code -1} if it is not known
     * yet. {@link ExecSession#close()} detaches and never stops the container. Attaching must not
     * cost the container's log a line, and must work on containers a previous instance of the
     * runtime started (after a swap or a restart of the node). Called on a kubelet server thread, once
     * per {@code kubectl attach}; the caller must close the session.
     *
     * <p>The default says attach is not supported (reason {@code NotSupported}); the kubelet then
     * serves an attach without stdin from the container's log.
     *
     * @param stdin whether the caller writes to the container's stdin
     * @param tty whether the caller has a terminal (it will resize it); the container's own
     *        {@link ContainerConfig#tty()} decides whether its output is a terminal's
     * @throws RuntimeFailure reason {@code NotFound}, {@code ContainerNotRunning}, {@code NotSupported},
     *         or {@code AttachError} when stdin is asked of a container without {@code stdin: true}
     *         or whose stdin was closed ({@code stdinOnce}); the message says which, for kubectl to show
     * @since 1.1
     */
    default ExecSession attach(String containerId, boolean stdin, boolean tty) throws RuntimeFailure {
        throw new RuntimeFailure("NotSupported", "the " + name() + " runtime cannot attach to a container");
    }

    /** Whether the runtime is usable here, with the reason when it is not. */
    record Availability(boolean available, String reason) {
        public static Availability yes() {
            return new Availability(true, "");
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }
}
