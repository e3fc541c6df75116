package io.kubundle.kubelet.internal.server;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import io.kubundle.api.runtime.ContainerRuntime;

/**
 * The kubelet's containers as the streaming server needs them: where a container's log is and
 * which runtime runs it. The kubelet core implements it; {@link KubeletServer} only reads.
 *
 * <p>Contract:
 * <ul>
 *   <li>Called from the server's worker threads, many at once: thread-safe, and quick (from the
 *       kubelet's own state, without calling the API server).</li>
 *   <li>{@code previous == false}: the container's current instance, the one of the highest attempt
 *       (running, or exited and not yet restarted). {@code previous == true}: the instance before
 *       that, whose log file is still kept; empty if there is none (first attempt, or removed).</li>
 *   <li>Empty when the node has no pod of that namespace and name, or the pod has no container of
 *       that name (init and ephemeral containers count), or no instance of it was ever created.</li>
 *   <li>The answer is a snapshot: a container found running may exit right after. The server asks
 *       {@link LocatedContainer#runtime()} for the container's state while it follows a log.</li>
 * </ul>
 */
public interface PodContainers {

    /**
     * The container {@code container} of pod {@code namespace/pod} on this node.
     *
     * @param previous the instance before the current one ({@code kubectl logs --previous})
     */
    Optional<LocatedContainer> find(String namespace, String pod, String container, boolean previous);

    /**
     * Opens a TCP connection to {@code port} on the loopback address of pod {@code namespace/pod},
     * inside the pod's network namespace (the node's, for a {@code hostNetwork} pod), for one
     * connection of {@code kubectl port-forward}. Called on a server worker thread, once per
     * forwarded connection; the channel is returned in blocking mode and the server closes it.
     * The default says port forwarding is not supported.
     *
     * @throws IOException if the node has no such pod or nothing accepts on the port; the
     *         message reaches kubectl ({@code error forwarding port 80 to pod ns/web: MESSAGE})
     */
    default SocketChannel connect(String namespace, String pod, int port) throws IOException {
        throw new IOException("port forwarding is not supported by this kubelet");
    }

    /**
     * One instance of a container.
     *
     * @param containerId the runtime's id of this instance
     * @param logPath its CRI-format log file ({@code ContainerConfig.logPath()}); may not exist yet
     *        when the container has not written anything
     * @param running whether its process ran when it was looked up
     * @param runtime the runtime that made it: the server asks it for the container's state
     *        ({@link ContainerRuntime#containerStatus}) and runs {@code kubectl exec} and
     *        {@code kubectl attach} through it ({@link ContainerRuntime#exec}, {@link ContainerRuntime#attach})
     */
    record LocatedContainer(String containerId, Path logPath, boolean running, ContainerRuntime runtime) {
        public LocatedContainer {
            Objects.requireNonNull(containerId, "containerId");
            Objects.requireNonNull(logPath, "logPath");
            Objects.requireNonNull(runtime, "runtime");
        }
    }
}
