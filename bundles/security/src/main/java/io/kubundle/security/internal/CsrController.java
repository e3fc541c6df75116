package io.kubundle.security.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;
import io.kubundle.client.kube.WorkQueue;

/**
 * A controller of CertificateSigningRequests: an informer of them, a queue of names, and
 * {@link Step}s applied in order to each request that is added or changes (level-triggered: a
 * step looks at the whole request each time and does nothing when there is nothing to do; what
 * one step writes comes back as a change for the next). A step that throws is retried with
 * back-off, from the first step.
 */
final class CsrController implements ControllerHost.Controller {
    static final ResourceKind<ObjectNode> CSRS = new ResourceKind<>("certificates.k8s.io", "v1", "certificatesigningrequests",
            "CertificateSigningRequest", false, ObjectNode.class);

    /** What the controller does with one request: a deep copy of the cached one. Called from worker threads. */
    interface Step {
        /** @return when to look at the request again even if it does not change ({@link Duration#ZERO}: not) */
        Duration handle(ObjectNode csr, KubeClient client) throws Exception;
    }

    private final KubeClient client;
    private final List<Step> steps;
    private final Informer<ObjectNode> informer;
    private final WorkQueue<String> queue;
    private final ControllerLoop loop;

    CsrController(String name, KubeClient client, List<Step> steps) {
        this.client = client;
        this.steps = List.copyOf(steps);
        this.informer = new Informer<>(client.resources(CSRS), Duration.ZERO);
        this.queue = new WorkQueue<>(name);
        this.loop = new ControllerLoop(name, queue, this::reconcile, 10);
    }

    @Override
    public void start() throws Exception {
        informer.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(ObjectNode csr) {
                queue.add(csr.path("metadata").path("name").asText());
            }

            @Override
            public void onUpdate(ObjectNode before, ObjectNode after) {
                queue.add(after.path("metadata").path("name").asText());
            }
        });
        informer.start();
        if (!informer.awaitSynced(Duration.ofSeconds(30))) {
            throw new IllegalStateException("the CertificateSigningRequest informer did not sync in 30 s");
        }
        loop.start(1);
    }

    Duration reconcile(String name) throws Exception {
        var csr = informer.get(null, name);
        Duration next = Duration.ZERO;
        if (csr.isPresent()) {
            for (Step step : steps) {
                Duration again = step.handle(csr.get().deepCopy(), client);
                if (!again.isZero() && (next.isZero() || again.compareTo(next) < 0)) {
                    next = again;
                }
            }
        }
        return next;
    }

    @Override
    public void close() {
        loop.close();
        queue.close();
        informer.close();
    }

    /** Puts into {@code patch} the request's conditions with one of {@code type} added. */
    static void withCondition(JsonNode csr, ObjectNode patch, String type, String reason, String message) {
        ArrayNode conditions = patch.with("status").putArray("conditions");
        csr.path("status").path("conditions").forEach(condition -> conditions.add(condition.deepCopy()));
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        conditions.addObject().put("type", type).put("status", "True").put("reason", reason).put("message", message)
                .put("lastUpdateTime", now).put("lastTransitionTime", now);
    }
}
