package io.kubundle.scheduler.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiTransport;

/**
 * The scheduler's writes to the API: bindings, events, pod status patches, deletions. Each call
 * is one request; failures are {@link ApiFailure}s carrying the server's code and message.
 */
public final class ApiWrites {
    private static final Map<String, String> JSON = Map.of("Accept", "application/json", "Content-Type", "application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A refused or failed request. */
    public static final class ApiFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final int code;

        ApiFailure(int code, String message) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private final ApiTransport transport;

    public ApiWrites(ApiTransport transport) {
        this.transport = transport;
    }

    /** POST pods/binding: the pod goes to the node. */
    public void bind(PodInfo pod, String node) throws IOException, ApiFailure {
        ObjectNode binding = MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "Binding");
        binding.putObject("metadata").put("name", pod.name()).put("namespace", pod.namespace()).put("uid", pod.uid());
        binding.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", node);
        send("POST", podPath(pod.namespace(), pod.name()) + "/binding", binding, JSON);
    }

    /** A core/v1 Event about the pod, from the given component (the profile's scheduler name). */
    public void event(PodInfo pod, String type, String reason, String message, String component) throws IOException, ApiFailure {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        ObjectNode event = MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "Event");
        event.putObject("metadata").put("name", pod.name() + "." + Long.toHexString(System.nanoTime())
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000))).put("namespace", pod.namespace());
        event.putObject("involvedObject").put("apiVersion", "v1").put("kind", "Pod").put("namespace", pod.namespace())
                .put("name", pod.name()).put("uid", pod.uid());
        event.put("reason", reason).put("message", message).put("type", type);
        event.putObject("source").put("component", component);
        event.put("firstTimestamp", now).put("lastTimestamp", now).put("count", 1).put("reportingComponent", component)
                .put("reportingInstance", component);
        send("POST", "/api/v1/namespaces/" + pod.namespace() + "/events", event, JSON);
    }

    /** A strategic merge patch of the pod's status (conditions merge by type). */
    public void patchStatus(String namespace, String name, ObjectNode patch) throws IOException, ApiFailure {
        send("PATCH", podPath(namespace, name) + "/status", patch,
                Map.of("Accept", "application/json", "Content-Type", "application/strategic-merge-patch+json"));
    }

    /** Deletes a pod, if it is still the one with that uid. */
    public void deletePod(String namespace, String name, String uid) throws IOException, ApiFailure {
        ObjectNode options = MAPPER.createObjectNode().put("apiVersion", "v1").put("kind", "DeleteOptions");
        options.putObject("preconditions").put("uid", uid);
        send("DELETE", podPath(namespace, name), options, JSON);
    }

    private static String podPath(String namespace, String name) {
        return "/api/v1/namespaces/" + namespace + "/pods/" + name;
    }

    private void send(String method, String uri, ObjectNode body, Map<String, String> headers) throws IOException, ApiFailure {
        ApiReply reply = transport.send(new ApiCall(method, uri, headers, MAPPER.writeValueAsBytes(body)));
        if (!reply.ok()) {
            String message = new String(reply.body(), StandardCharsets.UTF_8);
            try {
                JsonNode status = MAPPER.readTree(reply.body());
                if (status != null && status.has("message")) {
                    message = status.path("message").asText();
                }
            } catch (IOException e) {
                // not JSON: the text is the message
            }
            throw new ApiFailure(reply.status(), message);
        }
    }
}
