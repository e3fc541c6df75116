package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.StreamListener;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * The CLI's view of one API server: the client, its resource types (discovered once per command)
 * and the requests the typed client does not make (tables, table watches, OpenAPI).
 */
public final class Cluster {
    /** Asks for a server-side Table, with plain JSON as the fallback kubectl accepts. */
    static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

    private final KubeClient client;
    private ResourceCatalog catalog;

    public Cluster(KubeClient client) {
        this.client = client;
    }

    /** The cluster a kubeconfig names. */
    public static Cluster connect(Path kubeconfig) throws CommandException {
        if (!Files.isRegularFile(kubeconfig)) {
            throw new CommandException("no kubeconfig at " + kubeconfig
                    + ": start a cluster with 'kubundle up', or pass --kubeconfig or set $KUBECONFIG");
        }
        try {
            return new Cluster(KubeClient.fromKubeconfig(kubeconfig));
        } catch (NoSuchFileException e) {
            throw new CommandException("cannot read the kubeconfig " + kubeconfig + ": no such file " + e.getFile(), e);
        } catch (IOException e) {
            throw new CommandException("cannot read the kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
        }
    }

    public KubeClient client() {
        return client;
    }

    public ResourceCatalog catalog() throws IOException, ApiStatusException {
        if (catalog == null) {
            catalog = ResourceCatalog.discover(client::getRaw);
        }
        return catalog;
    }

    public ResourceClient<ObjectNode> resources(ApiResource resource) {
        return client.resources(resource.kindForClient());
    }

    /**
     * One object (name given) or the list, as a Table; a server that sends plain objects gets
     * kubectl's fallback of Name and Age.
     */
    public JsonNode table(ApiResource resource, String namespace, String name, Selectors selectors)
            throws IOException, ApiStatusException {
        String uri = resource.kindForClient().path(namespace, name) + selectors.query(name == null ? "" : null);
        JsonNode reply = Replies.json(client.transport().send(new ApiCall("GET", uri, Map.of("Accept", TABLE), null)),
                client.json());
        if ("Table".equals(reply.path("kind").asText())) {
            return reply;
        }
        return nameAndAge(reply.has("items") ? reply.path("items") : client.json().createArrayNode().add(reply));
    }

    private ObjectNode nameAndAge(JsonNode objects) {
        ObjectNode table = client.json().createObjectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        ArrayNode columns = table.putArray("columnDefinitions");
        columns.addObject().put("name", "Name").put("type", "string").put("format", "name").put("priority", 0);
        columns.addObject().put("name", "Age").put("type", "string").put("format", "").put("priority", 0);
        ArrayNode rows = table.putArray("rows");
        Instant now = Instant.now();
        for (JsonNode object : objects) {
            JsonNode metadata = object.path("metadata");
            ObjectNode row = rows.addObject();
            row.putArray("cells").add(metadata.path("name").asText())
                    .add(Ages.since(metadata.path("creationTimestamp").asText(""), now));
            row.putObject("object").set("metadata", metadata.deepCopy());
        }
        return table;
    }

    /**
     * Watches the resource from a revision, each event's object a one-row Table; returns once the
     * server accepted. {@code onEnd} hears of the end with the failure, if any.
     */
    public ApiStream watchTable(ApiResource resource, String namespace, Selectors selectors, String revision,
            Consumer<JsonNode> onEvent, Consumer<Exception> onEnd) throws IOException, ApiStatusException {
        String uri = resource.kindForClient().path(namespace, null) + selectors.query("watch=true&resourceVersion="
                + URLEncoder.encode(revision, StandardCharsets.UTF_8));
        ApiStream stream = client.transport().stream(new ApiCall("GET", uri, Map.of("Accept", TABLE), null),
                new StreamListener() {
                    @Override
                    public void onLine(byte[] line) {
                        if (line.length > 0) {
                            try {
                                onEvent.accept(client.json().readTree(line));
                            } catch (IOException e) {
                                onEnd.accept(e);
                            }
                        }
                    }

                    @Override
                    public void onEnd(Exception failure) {
                        onEnd.accept(failure);
                    }
                });
        if (stream.refusal() != null) {
            Replies.json(stream.refusal(), client.json());
        }
        return stream;
    }

    /** The OpenAPI v3 document of a group version ({@code api/v1}, {@code apis/apps/v1}), or null if none is served. */
    public JsonNode openApi(String groupVersionPath) throws IOException, ApiStatusException {
        JsonNode paths = client.getRaw("/openapi/v3").path("paths");
        JsonNode entry = paths.path(groupVersionPath);
        if (entry.isMissingNode()) {
            return null;
        }
        return client.getRaw(entry.path("serverRelativeURL").asText("/openapi/v3/" + groupVersionPath));
    }

    /** The label and field selectors of a list. */
    public record Selectors(String labels, String fields) {
        public static final Selectors NONE = new Selectors(null, null);

        /** {@code ?first&labelSelector=...}, or empty; {@code first} null drops the selectors (a GET by name). */
        String query(String first) {
            if (first == null) {
                return "";
            }
            StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
            if (!first.isEmpty()) {
                query.add(first);
            }
            add(query, "labelSelector", labels);
            add(query, "fieldSelector", fields);
            return query.toString();
        }

        private static void add(StringJoiner query, String name, String value) {
            if (value != null && !value.isEmpty()) {
                query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
    }

    /** Replies the typed client does not read for us. */
    static final class Replies {
        private Replies() {
        }

        static JsonNode json(ApiReply reply, com.fasterxml.jackson.databind.ObjectMapper json)
                throws IOException, ApiStatusException {
            JsonNode body = reply.body().length == 0 ? json.createObjectNode() : readOrNull(reply.body(), json);
            if (reply.ok() && body != null) {
                return body;
            }
            if (body != null && "Status".equals(body.path("kind").asText())) {
                throw new ApiStatusException(body.path("code").asInt(reply.status()), body.path("reason").asText("Unknown"),
                        body.path("message").asText(""), body);
            }
            String text = new String(reply.body(), StandardCharsets.UTF_8).strip();
            if (reply.ok()) {
                throw new IOException("the server sent something that is not JSON: " + text);
            }
            throw new ApiStatusException(reply.status(), "Unknown", text, null);
        }

        private static JsonNode readOrNull(byte[] body, com.fasterxml.jackson.databind.ObjectMapper json) {
            try {
                return json.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }
    }
}
