package io.kubundle.client.kube;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;

import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.StreamListener;

/**
 * The verbs of one resource type. Objects are read into the kind's class; the namespace and name
 * of an object to write are taken from its own metadata.
 */
public final class ResourceClient<T> {
    private static final Map<String, String> JSON_HEADERS = Map.of("Accept", "application/json", "Content-Type", "application/json");

    private final KubeClient client;
    private final ResourceKind<T> kind;
    private final boolean withoutManagedFields;

    ResourceClient(KubeClient client, ResourceKind<T> kind) {
        this(client, kind, false);
    }

    private ResourceClient(KubeClient client, ResourceKind<T> kind, boolean withoutManagedFields) {
        this.client = client;
        this.kind = kind;
        this.withoutManagedFields = withoutManagedFields;
    }

    /**
     * The same verbs, reading objects without {@code metadata.managedFields}, as an informer caches
     * them (client-go's TransformStripManagedFields): they are the server's bookkeeping, often the
     * larger part of a pod, and no controller reads them. An update sent from such a copy leaves
     * the live entries as they are, since it carries none.
     */
    ResourceClient<T> withoutManagedFields() {
        return new ResourceClient<>(client, kind, true);
    }

    public ResourceKind<T> kind() {
        return kind;
    }

    /** The object, or a 404 {@link ApiStatusException}. */
    public T get(String namespace, String name) throws IOException, ApiStatusException {
        return object(client.read(client.send(new ApiCall("GET", kind.path(namespace, name), JSON_HEADERS, null))));
    }

    /** The object, or empty when there is none. */
    public Optional<T> find(String namespace, String name) throws IOException, ApiStatusException {
        try {
            return Optional.of(get(namespace, name));
        } catch (ApiStatusException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** One page (or all, without a limit) in a namespace, or in all namespaces when it is null. */
    public ObjectList<T> list(String namespace, ListOptions options) throws IOException, ApiStatusException {
        return listEvents(namespace, options).map(WatchEvent::object);
    }

    /** A page whose items are ADDED events: each object with its key and revision, as informers take them. */
    ObjectList<WatchEvent<T>> listEvents(String namespace, ListOptions options) throws IOException, ApiStatusException {
        JsonNode list = client.read(client.send(new ApiCall("GET", withQuery(kind.path(namespace, null), options.query()),
                JSON_HEADERS, null)));
        List<WatchEvent<T>> items = new ArrayList<>();
        for (JsonNode item : list.path("items")) {
            JsonNode metadata = item.path("metadata");
            items.add(new WatchEvent<>(WatchEvent.ADDED, metadata.path("namespace").asText(""), metadata.path("name").asText(""),
                    metadata.path("resourceVersion").asText(""), object(item)));
        }
        JsonNode metadata = list.path("metadata");
        String token = metadata.path("continue").asText("");
        return new ObjectList<>(items, metadata.path("resourceVersion").asText(""), token.isEmpty() ? null : token);
    }

    /** Every page, read with the given page size. */
    public ObjectList<T> listAll(String namespace, ListOptions options, int pageSize) throws IOException, ApiStatusException {
        List<T> items = new ArrayList<>();
        ObjectList<T> page = list(namespace, options.withLimit(pageSize).withContinue(null));
        items.addAll(page.items());
        String revision = page.resourceVersion();
        while (page.continueToken() != null) {
            page = list(namespace, options.withLimit(pageSize).withContinue(page.continueToken()));
            items.addAll(page.items());
        }
        return new ObjectList<>(items, revision, null);
    }

    public T create(T object) throws IOException, ApiStatusException {
        ObjectNode tree = tree(object);
        return write("POST", kind.path(namespaceOf(tree), null), tree);
    }

    /** Replaces the object; a stale {@code resourceVersion} is a 409 Conflict. */
    public T update(T object) throws IOException, ApiStatusException {
        ObjectNode tree = tree(object);
        return write("PUT", kind.path(namespaceOf(tree), nameOf(tree)), tree);
    }

    /** Replaces the object's status (the {@code status} subresource). */
    public T updateStatus(T object) throws IOException, ApiStatusException {
        ObjectNode tree = tree(object);
        return write("PUT", kind.path(namespaceOf(tree), nameOf(tree)) + "/status", tree);
    }

    /** Patches the object (or, with a subresource such as {@code status}, that part of it). */
    public T patch(String namespace, String name, PatchType type, Object patch, String subresource)
            throws IOException, ApiStatusException {
        String uri = kind.path(namespace, name) + (subresource == null ? "" : "/" + subresource);
        byte[] body = patch instanceof String text ? text.getBytes(StandardCharsets.UTF_8) : bytes(patch);
        return object(client.read(client.send(new ApiCall("PATCH", uri,
                Map.of("Accept", "application/json", "Content-Type", type.contentType()), body))));
    }

    public T patch(String namespace, String name, PatchType type, Object patch) throws IOException, ApiStatusException {
        return patch(namespace, name, type, patch, null);
    }

    /**
     * Server-side apply of a whole configuration owned by {@code fieldManager}.
     *
     * @param force take over fields other managers own instead of failing with a conflict
     */
    public T apply(T configuration, String fieldManager, boolean force) throws IOException, ApiStatusException {
        ObjectNode tree = tree(configuration);
        String uri = kind.path(namespaceOf(tree), nameOf(tree)) + "?fieldManager=" + URLEncoder.encode(fieldManager, StandardCharsets.UTF_8)
                + (force ? "&force=true" : "");
        return object(client.read(client.send(new ApiCall("PATCH", uri,
                Map.of("Accept", "application/json", "Content-Type", PatchType.APPLY.contentType()), bytes(tree)))));
    }

    /**
     * Deletes the object. Returns true if it was deleted or marked for deletion, false if there
     * was none.
     */
    public boolean delete(String namespace, String name, DeleteOptions options) throws IOException, ApiStatusException {
        ObjectNode body = client.json().createObjectNode().put("kind", "DeleteOptions").put("apiVersion", "v1");
        if (options.gracePeriodSeconds() != null) {
            body.put("gracePeriodSeconds", options.gracePeriodSeconds());
        }
        if (options.propagationPolicy() != null) {
            body.put("propagationPolicy", options.propagationPolicy());
        }
        if (options.preconditionUid() != null) {
            body.putObject("preconditions").put("uid", options.preconditionUid());
        }
        ApiReply reply = client.send(new ApiCall("DELETE", kind.path(namespace, name), JSON_HEADERS, bytes(body)));
        if (reply.status() == 404) {
            return false;
        }
        client.read(reply);
        return true;
    }

    public boolean delete(String namespace, String name) throws IOException, ApiStatusException {
        return delete(namespace, name, DeleteOptions.DEFAULT);
    }

    /**
     * Watches changes from {@code options.resourceVersion()} (or, without one, from the current
     * state as ADDED events), with bookmarks. Returns once the server has accepted the watch;
     * events may reach the handler before this returns.
     *
     * @param timeoutSeconds when the server ends the watch (0: its default)
     */
    public Watch watch(String namespace, ListOptions options, int timeoutSeconds, WatchHandler<T> handler)
            throws IOException, ApiStatusException {
        String query = options.withLimit(0).withContinue(null).query("watch=true", "allowWatchBookmarks=true")
                + (timeoutSeconds > 0 ? "&timeoutSeconds=" + timeoutSeconds : "");
        ApiStream stream = client.transport().stream(new ApiCall("GET", kind.path(namespace, null) + "?" + query,
                Map.of("Accept", "application/json"), null), new EventDecoder(handler));
        if (stream.refusal() != null) {
            throw client.failure(stream.refusal());
        }
        return stream::close;
    }

    /** A running watch. */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** Turns the stream's JSON lines into typed events; an ERROR event ends the watch with its Status. */
    private final class EventDecoder implements StreamListener {
        private final WatchHandler<T> handler;
        private boolean ended;

        EventDecoder(WatchHandler<T> handler) {
            this.handler = handler;
        }

        @Override
        public void onLine(byte[] line) {
            if (ended || line.length == 0) {
                return;
            }
            if (withoutManagedFields && !JsonNode.class.isAssignableFrom(kind.type())) {
                try {
                    WatchEvent<T> event = cachedEvent(line);
                    if (event != null) {
                        handler.onEvent(event);
                        return;
                    }
                } catch (IOException e) {
                    end(e);
                    return;
                }
            }
            JsonNode event;
            try {
                event = client.json().readTree(line);
            } catch (IOException e) {
                end(e);
                return;
            }
            String type = event.path("type").asText();
            JsonNode object = event.path("object");
            if (type.equals("ERROR")) {
                end(KubeClient.statusException(object, 500));
                return;
            }
            JsonNode metadata = object.path("metadata");
            try {
                handler.onEvent(new WatchEvent<>(type, metadata.path("namespace").asText(""), metadata.path("name").asText(""),
                        metadata.path("resourceVersion").asText(""), type.equals(WatchEvent.BOOKMARK) ? null : object(object)));
            } catch (JsonProcessingException e) {
                end(e);
            }
        }

        /**
         * An ADDED, MODIFIED or DELETED event read straight into the kind's class, for a cache: one
         * pass over the tokens for the key, one to bind, no tree in between and no managedFields
         * built. Null when the event is another type, or names its object before its type.
         */
        private WatchEvent<T> cachedEvent(byte[] line) throws IOException {
            ObjectMapper mapper = client.cacheJson();
            try (JsonParser parser = mapper.createParser(line)) {
                if (parser.nextToken() != JsonToken.START_OBJECT || parser.nextToken() != JsonToken.FIELD_NAME
                        || !parser.currentName().equals("type") || parser.nextToken() != JsonToken.VALUE_STRING) {
                    return null;
                }
                String type = parser.getText();
                if (!type.equals(WatchEvent.ADDED) && !type.equals(WatchEvent.MODIFIED) && !type.equals(WatchEvent.DELETED)) {
                    return null;
                }
                if (parser.nextToken() != JsonToken.FIELD_NAME || !parser.currentName().equals("object")
                        || parser.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                TokenBuffer object = TokenBuffer.asCopyOfValue(parser);
                String[] key = new String[3]; // namespace, name, resourceVersion
                try (JsonParser tokens = object.asParser(mapper)) {
                    tokens.nextToken();
                    while (tokens.nextToken() == JsonToken.FIELD_NAME) {
                        String field = tokens.currentName();
                        tokens.nextToken();
                        if (!field.equals("metadata")) {
                            tokens.skipChildren();
                            continue;
                        }
                        while (tokens.nextToken() == JsonToken.FIELD_NAME) {
                            String name = tokens.currentName();
                            tokens.nextToken();
                            int slot = switch (name) {
                                case "namespace" -> 0;
                                case "name" -> 1;
                                case "resourceVersion" -> 2;
                                default -> -1;
                            };
                            if (slot >= 0) {
                                key[slot] = tokens.getText();
                            } else {
                                tokens.skipChildren();
                            }
                        }
                        break;
                    }
                }
                T value;
                try (JsonParser tokens = object.asParser(mapper)) {
                    value = mapper.readValue(tokens, kind.type());
                }
                return new WatchEvent<>(type, key[0] == null ? "" : key[0], key[1] == null ? "" : key[1],
                        key[2] == null ? "" : key[2], value);
            }
        }

        @Override
        public void onEnd(Exception failure) {
            end(failure);
        }

        private void end(Exception failure) {
            if (!ended) {
                ended = true;
                handler.onClose(failure);
            }
        }
    }

    private T write(String method, String uri, ObjectNode tree) throws IOException, ApiStatusException {
        return object(client.read(client.send(new ApiCall(method, uri, JSON_HEADERS, bytes(tree)))));
    }

    private T object(JsonNode tree) throws JsonProcessingException {
        ObjectNode object = (ObjectNode) tree;
        if (withoutManagedFields && object.path("metadata") instanceof ObjectNode metadata) {
            metadata.remove("managedFields");
        }
        // list items carry no kind and apiVersion; typed models and informers want them
        if (!object.has("kind")) {
            object.put("kind", kind.kind());
        }
        if (!object.has("apiVersion")) {
            object.put("apiVersion", kind.apiVersion());
        }
        if (kind.type().isInstance(object)) {
            return kind.type().cast(object);
        }
        return client.json().treeToValue(object, kind.type());
    }

    private ObjectNode tree(T object) {
        JsonNode tree = client.json().valueToTree(object);
        if (!(tree instanceof ObjectNode node)) {
            throw new IllegalArgumentException("not an object: " + object);
        }
        if (!node.has("kind")) {
            node.put("kind", kind.kind());
        }
        if (!node.has("apiVersion")) {
            node.put("apiVersion", kind.apiVersion());
        }
        return node;
    }

    private byte[] bytes(Object value) {
        try {
            return client.json().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON", e);
        }
    }

    private String namespaceOf(ObjectNode tree) {
        if (!kind.namespaced()) {
            return null;
        }
        String namespace = tree.path("metadata").path("namespace").asText("");
        return namespace.isEmpty() ? "default" : namespace;
    }

    private static String nameOf(ObjectNode tree) {
        String name = tree.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("the object has no metadata.name");
        }
        return name;
    }

    private static String withQuery(String path, String query) {
        return query.isEmpty() ? path : path + "?" + query;
    }
}
