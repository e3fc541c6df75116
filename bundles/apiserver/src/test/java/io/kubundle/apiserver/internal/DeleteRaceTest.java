package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;


/** A DELETE racing a controller's write: Kubernetes retries it server-side unless the client set a precondition. */
class DeleteRaceTest {
    private final ObjectMapper json = new ObjectMapper();
    private final MemoryStore store = new MemoryStore();
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
}
