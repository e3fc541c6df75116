package io.kubundle.client.kube;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.https.Kubeconfig;

/**
 * The entry to the Kubernetes API: typed {@link ResourceClient}s over one transport. Thread-safe;
 * share one per process.
 */
public final class KubeClient {
    private final ApiTransport transport;
    private final ObjectMapper json;
    private final ObjectMapper cacheJson;

    public KubeClient(ApiTransport transport) {
        this.transport = Objects.requireNonNull(transport, "transport");
        // a newer server may send fields this model does not know: keep reading; MicroTime fields
        // (a Lease's renewTime) are java.time types in fabric8's model
        this.json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .registerModule(new JavaTimeModule());
        this.cacheJson = json.copy().addMixIn(Object.class, WithoutManagedFields.class);
    }

    /** Applied to every class read for a cache: an object's managedFields are skipped, never built. */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(value = "managedFields", allowGetters = false)
    private interface WithoutManagedFields {
    }

    /** A client for the server and user a kubeconfig file names in its current context. */
    public static KubeClient fromKubeconfig(Path file) throws IOException {
        return new KubeClient(Kubeconfig.load(file).transport());
    }

    /** The client of one resource type. */
    public <T> ResourceClient<T> resources(ResourceKind<T> kind) {
        return new ResourceClient<>(this, kind);
    }

    /** The mapper objects are read and written with. */
    public ObjectMapper json() {
        return json;
    }

    /** As {@link #json}, but reading no {@code managedFields}: for objects an informer caches. */
    ObjectMapper cacheJson() {
        return cacheJson;
    }

    public ApiTransport transport() {
        return transport;
    }

    /** GET of any path (discovery, {@code /version}, ...) as a JSON tree. */
    public JsonNode getRaw(String uri) throws IOException, ApiStatusException {
        return read(send(new ApiCall("GET", uri, Map.of("Accept", "application/json"), null)));
    }

    ApiReply send(ApiCall call) throws IOException {
        return transport.send(call);
    }

    /** The reply's JSON, or the Status it carries as an exception. */
    JsonNode read(ApiReply reply) throws IOException, ApiStatusException {
        if (!reply.ok()) {
            throw failure(reply);
        }
        return json.readTree(reply.body());
    }

    ApiStatusException failure(ApiReply reply) {
        JsonNode status = null;
        try {
            status = json.readTree(reply.body());
        } catch (IOException e) {
            // not JSON: the text is the message
        }
        if (status != null && status.path("kind").asText().equals("Status")) {
            return statusException(status, reply.status());
        }
        String text = new String(reply.body(), java.nio.charset.StandardCharsets.UTF_8).strip();
        return new ApiStatusException(reply.status(), "Unknown", text, status);
    }

    static ApiStatusException statusException(JsonNode status, int fallbackCode) {
        return new ApiStatusException(status.path("code").asInt(fallbackCode), status.path("reason").asText("Unknown"),
                status.path("message").asText(""), status);
    }
}
