package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.store.CompactedException;
import io.kubundle.api.store.ConflictException;
import io.kubundle.api.store.KeyExistsException;
import io.kubundle.api.store.KeyNotFoundException;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.ListResult;
import io.kubundle.api.store.Store;
import io.kubundle.api.store.StoreException;

/**
 * Kubernetes objects on the store SPI: one key per object, the JSON as the value, and the
 * store's revision as {@code metadata.resourceVersion} (never stored, always derived).
 */
final class ObjectStorage {
    private static final char[] NAME_SUFFIX = "bcdfghjklmnpqrstvwxz2456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ObjectMapper json;
    private final Supplier<Store> store;

    ObjectStorage(ObjectMapper json, Supplier<Store> store) {
        this.json = json;
        this.store = store;
    }

    /** A page of a list, with the revision it was read at and the token of the next page. */
    record Page(List<ObjectNode> items, long revision, String continueToken) {
    }

    Optional<ObjectNode> find(ResourceType type, String namespace, String name) throws ApiException {
        try {
            Optional<KeyValue> kv = store().get(type.key(namespace, name));
            return kv.isPresent() ? Optional.of(decode(kv.get())) : Optional.empty();
        } catch (StoreException e) {
            throw storeFailure(e);
        }
    }

    ObjectNode get(ResourceType type, String namespace, String name) throws ApiException {
        return find(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
    }

    Page list(ResourceType type, String namespace, ListOptions options) throws ApiException {
        long revision = options.readRevision();
        String startAfter = options.continueToken() != null ? ListOptions.Continue.decode(options.continueToken()).startAfter() : null;
        String prefix = type.listPrefix(namespace);
        List<ObjectNode> items = new ArrayList<>();
        int want = options.limit();
        try {
            while (true) {
                // a selector may drop entries: read pages of the store until the page is full
                int batch = want == 0 ? 0 : Math.max(want - items.size(), 64);
                ListResult result = store().list(prefix, startAfter, revision, batch);
                revision = result.revision();
                Iterator<KeyValue> entries = result.items().iterator();
                while (entries.hasNext()) {
                    KeyValue kv = entries.next();
                    startAfter = kv.key();
                    ObjectNode object = decode(kv);
                    if (matches(object, options)) {
                        items.add(object);
                        if (want > 0 && items.size() == want) {
                            boolean more = entries.hasNext() || result.more();
                            return new Page(items, revision, more ? new ListOptions.Continue(revision, startAfter).encode() : null);
                        }
                    }
                }
                if (!result.more()) {
                    return new Page(items, revision, null);
                }
            }
        } catch (CompactedException e) {
            throw ApiException.gone("The provided continue parameter is too old to display a consistent list result. "
                    + "You can start a new list without the continue parameter.");
        } catch (StoreException e) {
            throw storeFailure(e);
        }
    }

    static boolean matches(JsonNode object, ListOptions options) {
        return options.labels().matches(labels(object)) && options.fields().matches(object);
    }

    static Map<String, String> labels(JsonNode object) {
        Map<String, String> labels = new HashMap<>();
        object.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    /** Stores a new object; fills in name (from generateName), uid (unless the caller chose it), creationTimestamp and generation. */
    ObjectNode create(ResourceType type, String namespace, ObjectNode object) throws ApiException {
        ObjectNode metadata = object.with("metadata");
        if (metadata.path("name").asText("").isEmpty() && !metadata.path("generateName").asText("").isEmpty()) {
            metadata.put("name", generateName(metadata.path("generateName").asText()));
        }
        String name = metadata.path("name").asText("");
        if (metadata.path("uid").asText("").isEmpty()) {
            metadata.put("uid", UUID.randomUUID().toString());
        }
        metadata.put("creationTimestamp", now());
        metadata.put("generation", 1);
        metadata.remove("resourceVersion");
        metadata.remove("deletionTimestamp");
        try {
            return decode(store().create(type.key(namespace, name), encode(object)));
        } catch (KeyExistsException e) {
            throw ApiException.alreadyExists(type, name);
        } catch (StoreException e) {
            throw storeFailure(e);
        }
    }

    /**
     * Writes a changed object if the stored one is still at {@code expectedRevision}.
     *
     * @throws ApiException 409 Conflict when someone else wrote it first, 404 when it is gone
     */
    ObjectNode replace(ResourceType type, String namespace, String name, ObjectNode object, long expectedRevision)
            throws ApiException {
        object.with("metadata").remove("resourceVersion");
        try {
            return decode(store().update(type.key(namespace, name), encode(object), expectedRevision));
        } catch (StoreException e) {
            throw writeFailure(e, type, name);
        }
    }

    /** Removes an object if it is still at {@code expectedRevision} (0: whatever); returns it as it was. */
    ObjectNode remove(ResourceType type, String namespace, String name, long expectedRevision) throws ApiException {
        try {
            var deleted = store().delete(type.key(namespace, name), expectedRevision);
            ObjectNode object = decode(deleted.previous());
            object.with("metadata").put("resourceVersion", Long.toString(deleted.revision()));
            return object;
        } catch (StoreException e) {
            throw writeFailure(e, type, name);
        }
    }

    long currentRevision() throws ApiException {
        try {
            return store().currentRevision();
        } catch (StoreException e) {
            throw storeFailure(e);
        }
    }

    /** The store now, or null while there is none. */
    Store currentStore() {
        return store.get();
    }

    Store store() throws ApiException {
        Store current = store.get();
        if (current == null) {
            throw new ApiException(503, "ServiceUnavailable", "no store is available: is a store plugin installed?");
        }
        return current;
    }

    ObjectNode decode(KeyValue kv) throws ApiException {
        try {
            ObjectNode object = (ObjectNode) json.readTree(kv.value());
            object.with("metadata").put("resourceVersion", Long.toString(kv.modRevision()));
            return object;
        } catch (IOException | ClassCastException e) {
            throw ApiException.internal("stored object " + kv.key() + " is not valid JSON: " + e.getMessage());
        }
    }

    byte[] encode(ObjectNode object) throws ApiException {
        try {
            return json.writeValueAsBytes(object);
        } catch (IOException e) {
            throw ApiException.internal(e.getMessage());
        }
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String generateName(String prefix) {
        StringBuilder name = new StringBuilder(prefix);
        for (int i = 0; i < 5; i++) {
            name.append(NAME_SUFFIX[RANDOM.nextInt(NAME_SUFFIX.length)]);
        }
        return name.toString();
    }

    /** A conditional write that failed: someone else wrote first, the object is gone, or the store failed. */
    private static ApiException writeFailure(StoreException e, ResourceType type, String name) {
        if (e instanceof ConflictException) {
            return ApiException.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
        }
        if (e instanceof KeyNotFoundException) {
            return ApiException.notFound(type, name);
        }
        return storeFailure(e);
    }

    static ApiException storeFailure(StoreException e) {
        return ApiException.internal("storage: " + e.getMessage());
    }
}
