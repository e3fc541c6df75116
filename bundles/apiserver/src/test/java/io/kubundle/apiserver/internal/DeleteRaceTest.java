package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.store.ConflictException;
import io.kubundle.api.store.Deleted;
import io.kubundle.api.store.KeyExistsException;
import io.kubundle.api.store.KeyNotFoundException;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.ListResult;
import io.kubundle.api.store.Store;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchListener;

/** A DELETE racing a controller's write: Kubernetes retries it server-side unless the client set a precondition. */
class DeleteRaceTest {
    private final ObjectMapper json = new ObjectMapper();
    private final RacingStore store = new RacingStore();
    private final ResourceTypes types = ResourceTypes.builtIn();
    private final ResourceType configMaps = types.byResource("", "v1", "configmaps").orElseThrow();
    private final Resources resources = new Resources(new ObjectStorage(json, () -> store), types, json, () -> null,
            Runnable::run);

    private ObjectNode createConfigMap() throws ApiException {
        resources.ensureInitialNamespaces();
        ObjectNode object = json.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        object.putObject("metadata").put("name", "settings");
        object.putObject("data").put("mode", "fast");
        return resources.create(configMaps, "default", object, "tester", null);
    }

    @Test
    void aDeleteWithoutPreconditionsIsRetriedWhenAWriteCameInBetween() throws Exception {
        createConfigMap();
        store.writesBeforeNextDelete = 2;
        ObjectNode deleted = resources.delete(configMaps, "default", "settings", json.createObjectNode(), "tester");
        assertEquals("settings", deleted.path("metadata").path("name").asText());
        assertTrue(resources.storage().find(configMaps, "default", "settings").isEmpty(), "the object is gone");
        assertEquals(3, store.deleteAttempts, "two stale attempts, then the one that removed it");
    }

    @Test
    void aResourceVersionPreconditionStillFailsWhenTheObjectChanged() throws Exception {
        ObjectNode created = createConfigMap();
        store.writesBeforeNextDelete = 1;
        ObjectNode options = json.createObjectNode();
        options.putObject("preconditions").put("resourceVersion", created.path("metadata").path("resourceVersion").asText());
        ApiException conflict = assertThrows(ApiException.class,
                () -> resources.delete(configMaps, "default", "settings", options, "tester"));
        assertEquals(409, conflict.code());
        assertTrue(conflict.getMessage().contains("precondition"), conflict.getMessage());
        assertTrue(resources.storage().find(configMaps, "default", "settings").isPresent(), "nothing was deleted");
    }

    /** Just enough of a store: a map with revisions, and a concurrent writer that strikes before a delete. */
    private static final class RacingStore implements Store {
        final TreeMap<String, KeyValue> entries = new TreeMap<>();
        long revision = 1;
        int writesBeforeNextDelete;
        int deleteAttempts;

        @Override
        public synchronized KeyValue create(String key, byte[] value) throws KeyExistsException {
            if (entries.containsKey(key)) {
                throw new KeyExistsException(key);
            }
            KeyValue created = new KeyValue(key, value, ++revision, revision);
            entries.put(key, created);
            return created;
        }

        @Override
        public synchronized Optional<KeyValue> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        @Override
        public synchronized KeyValue update(String key, byte[] value, long expected) throws ConflictException,
                KeyNotFoundException {
            KeyValue current = entries.get(key);
            if (current == null) {
                throw new KeyNotFoundException(key);
            }
            if (expected != 0 && current.modRevision() != expected) {
                throw new ConflictException(current, expected);
            }
            KeyValue updated = new KeyValue(key, value, current.createRevision(), ++revision);
            entries.put(key, updated);
            return updated;
        }

        @Override
        public synchronized Deleted delete(String key, long expected) throws ConflictException, KeyNotFoundException {
            deleteAttempts++;
            if (writesBeforeNextDelete > 0) {
                // the read the delete was based on is now stale, as when a controller wrote the status meanwhile
                writesBeforeNextDelete--;
                update(key, entries.get(key).value(), 0);
            }
            KeyValue current = entries.get(key);
            if (current == null) {
                throw new KeyNotFoundException(key);
            }
            if (expected != 0 && current.modRevision() != expected) {
                throw new ConflictException(current, expected);
            }
            entries.remove(key);
            return new Deleted(current, ++revision);
        }

        @Override
        public synchronized long currentRevision() {
            return revision;
        }

        @Override
        public long compactedRevision() {
            return 0;
        }

        @Override
        public ListResult list(String prefix, String startAfter, long atRevision, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long count(String prefix) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Watch watch(String prefix, long afterRevision, WatchListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void compact(long revision) {
            throw new UnsupportedOperationException();
        }
    }
}
