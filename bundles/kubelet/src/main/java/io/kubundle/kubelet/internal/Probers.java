package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ExecResult;
import io.kubundle.api.runtime.RuntimeFailure;

/**
 * Runs the liveness, readiness and startup probes of running containers, each on its own schedule
 * ({@code initialDelaySeconds} after the container started, then every {@code periodSeconds}, each
 * try limited to {@code timeoutSeconds}), and keeps their results with Kubernetes' thresholds: a
 * probe flips after {@code successThreshold} successes or {@code failureThreshold} failures in a row.
 * Liveness and readiness wait until the startup probe (if any) has succeeded. A result that changes
 * calls back with the pod's key, so the pod worker acts on it.
 */
final class Probers implements AutoCloseable {
    enum Kind { LIVENESS, READINESS, STARTUP }

    /** What a probe says now, with the message of its last failure. */
    record Outcome(boolean success, String message) { }

    private final class Worker implements Runnable {
        final String podKey;
        final String containerId;
        final Kind kind;
        final Probe probe;
        final Container container;
        final String podIp;
        final ContainerRuntime runtime;
        volatile ScheduledFuture<?> future;
        int successes;
        int failures;
        volatile Boolean result; // null until the thresholds decide
        volatile String lastFailure = "";

        Worker(String podKey, String containerId, Kind kind, Probe probe, Container container, String podIp, ContainerRuntime runtime) {
            this.podKey = podKey;
            this.containerId = containerId;
            this.kind = kind;
            this.probe = probe;
            this.container = container;
            this.podIp = podIp;
            this.runtime = runtime;
        }

        @Override
        public void run() {
            if (kind != Kind.STARTUP && !started(containerId)) {
                return;
            }
            if (kind == Kind.STARTUP && Boolean.TRUE.equals(result)) {
                return; // a startup probe stops once it succeeded
            }
            Outcome outcome = probeOnce(this);
            Boolean before = result;
            if (outcome.success()) {
                failures = 0;
                successes++;
                if (successes >= threshold(probe.getSuccessThreshold(), 1)) {
                    result = true;
                }
            } else {
                successes = 0;
                failures++;
                lastFailure = outcome.message();
                if (failures >= threshold(probe.getFailureThreshold(), 3)) {
                    result = false;
                    if (kind != Kind.READINESS) {
                        failures = 0; // the container is killed; a new one gets new workers
                    }
                }
                onFailure.accept(new Failure(podKey, containerId, container.getName(), kind, outcome.message()));
            }
            if (before != result) {
                onChange.accept(podKey);
            }
        }
    }

    /** A probe that failed once, for the {@code Unhealthy} event. */
    record Failure(String podKey, String containerId, String containerName, Kind kind, String message) { }

    private final ScheduledExecutorService executor;
    private final Consumer<String> onChange;
    private final Consumer<Failure> onFailure;
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();

    Probers(ScheduledExecutorService executor, Consumer<String> onChange, Consumer<Failure> onFailure) {
        this.executor = executor;
        this.onChange = onChange;
        this.onFailure = onFailure;
    }

    private static int threshold(Integer value, int fallback) {
        return value == null || value < 1 ? fallback : value;
    }

    /**
     * Makes sure the probes of a running container are scheduled.
     *
     * @param sinceStart how long the container has been running (the initial delay counts from its start)
     */
    void ensure(String podKey, String containerId, Container container, String podIp, ContainerRuntime runtime, Duration sinceStart) {
        schedule(podKey, containerId, Kind.LIVENESS, container.getLivenessProbe(), container, podIp, runtime, sinceStart);
        schedule(podKey, containerId, Kind.READINESS, container.getReadinessProbe(), container, podIp, runtime, sinceStart);
        schedule(podKey, containerId, Kind.STARTUP, container.getStartupProbe(), container, podIp, runtime, sinceStart);
    }

    private void schedule(String podKey, String containerId, Kind kind, Probe probe, Container container, String podIp,
            ContainerRuntime runtime, Duration sinceStart) {
        if (probe == null) {
            return;
        }
        workers.computeIfAbsent(containerId + "/" + kind, key -> {
            Worker worker = new Worker(podKey, containerId, kind, probe, container, podIp, runtime);
            long initial = Math.max(0, TimeUnit.SECONDS.toMillis(probe.getInitialDelaySeconds() == null ? 0
                    : probe.getInitialDelaySeconds()) - sinceStart.toMillis());
            long period = TimeUnit.SECONDS.toMillis(threshold(probe.getPeriodSeconds(), 10));
            worker.future = executor.scheduleWithFixedDelay(worker, initial, period, TimeUnit.MILLISECONDS);
            return worker;
        });
    }

    /** Whether the container's startup probe succeeded (true without one). */
    boolean started(String containerId) {
        Worker startup = workers.get(containerId + "/" + Kind.STARTUP);
        return startup == null || Boolean.TRUE.equals(startup.result);
    }

    /** Whether the container is ready as far as its readiness probe goes (true without one; false until it decides). */
    boolean ready(String containerId) {
        Worker readiness = workers.get(containerId + "/" + Kind.READINESS);
        return readiness == null || Boolean.TRUE.equals(readiness.result);
    }

    /** The failed liveness or startup probe that means the container must be restarted, if any. */
    Outcome mustRestart(String containerId) {
        for (Kind kind : List.of(Kind.LIVENESS, Kind.STARTUP)) {
            Worker worker = workers.get(containerId + "/" + kind);
            if (worker != null && Boolean.FALSE.equals(worker.result)) {
                return new Outcome(false, worker.lastFailure);
            }
        }
        return null;
    }

    /** Stops the probes of the given containers. */
    void forget(Set<String> containerIds) {
        workers.entrySet().removeIf(entry -> {
            if (!containerIds.contains(entry.getValue().containerId)) {
                return false;
            }
            entry.getValue().future.cancel(false);
            return true;
        });
    }

    private Outcome probeOnce(Worker worker) {
        Probe probe = worker.probe;
        int timeoutSeconds = threshold(probe.getTimeoutSeconds(), 1);
        try {
            if (probe.getExec() != null) {
                ExecResult result = worker.runtime.execSync(worker.containerId, probe.getExec().getCommand(),
                        Duration.ofSeconds(timeoutSeconds));
                String output = new String(result.stdout(), StandardCharsets.UTF_8) + new String(result.stderr(), StandardCharsets.UTF_8);
                return new Outcome(result.exitCode() == 0, output.strip());
            }
            if (probe.getHttpGet() != null) {
                var get = probe.getHttpGet();
                String host = get.getHost() == null || get.getHost().isEmpty() ? worker.podIp : get.getHost();
                int port = port(get.getPort(), worker.container);
                String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase(java.util.Locale.ROOT);
                String path = get.getPath() == null || get.getPath().isEmpty() ? "/" : get.getPath();
                HttpURLConnection connection = (HttpURLConnection) URI.create(scheme + "://" + host + ":" + port + path).toURL()
                        .openConnection();
                connection.setConnectTimeout(timeoutSeconds * 1000);
                connection.setReadTimeout(timeoutSeconds * 1000);
                connection.setInstanceFollowRedirects(false);
                connection.setRequestProperty("User-Agent", "kube-probe/1.32");
                for (HTTPHeader header : get.getHttpHeaders()) {
                    connection.setRequestProperty(header.getName(), header.getValue());
                }
                try {
                    int code = connection.getResponseCode();
                    return new Outcome(code >= 200 && code < 400, "HTTP probe failed with statuscode: " + code);
                } finally {
                    connection.disconnect();
                }
            }
            if (probe.getTcpSocket() != null) {
                String host = probe.getTcpSocket().getHost() == null || probe.getTcpSocket().getHost().isEmpty() ? worker.podIp
                        : probe.getTcpSocket().getHost();
                int port = port(probe.getTcpSocket().getPort(), worker.container);
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, port), timeoutSeconds * 1000);
                    return new Outcome(true, "");
                }
            }
            return new Outcome(false, "probe has no handler this node supports (exec, httpGet, tcpSocket)");
        } catch (IOException e) {
            return new Outcome(false, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (RuntimeFailure e) {
            return new Outcome(false, e.getMessage());
        }
    }

    /** A probe's port: a number, or the name of one of the container's ports. */
    static int port(IntOrString port, Container container) throws IOException {
        if (port == null) {
            throw new IOException("probe has no port");
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        String name = port.getStrVal();
        for (ContainerPort candidate : container.getPorts()) {
            if (name.equals(candidate.getName())) {
                return candidate.getContainerPort();
            }
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new IOException("port " + name + " is not a port of container " + container.getName());
        }
    }

    @Override
    public void close() {
        workers.values().forEach(worker -> worker.future.cancel(false));
        workers.clear();
    }
}
