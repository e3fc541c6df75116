package io.kubundle.controller.volume.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.admission.AdmissionRequest;

class StorageClassesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode storageClass(String name, String created, boolean isDefault) {
        ObjectNode storageClass = JSON.createObjectNode();
        ObjectNode metadata = storageClass.putObject("metadata").put("name", name).put("creationTimestamp", created);
        if (isDefault) {
            metadata.putObject("annotations").put(StorageClasses.IS_DEFAULT, "true");
        }
        return storageClass;
    }

    @Test
    void theNewestDefaultClassIsTheDefault() {
        assertEquals(Optional.empty(), StorageClasses.defaultClass(List.of(storageClass("a", "2026-01-01T00:00:00Z", false))));
        assertEquals(Optional.of("new"), StorageClasses.defaultClass(List.of(storageClass("old", "2026-01-01T00:00:00Z", true),
                storageClass("new", "2026-02-01T00:00:00Z", true), storageClass("newer", "2026-03-01T00:00:00Z", false))));
        assertEquals(Optional.of("a"), StorageClasses.defaultClass(List.of(storageClass("b", "2026-01-01T00:00:00Z", true),
                storageClass("a", "2026-01-01T00:00:00Z", true))), "same age: the first by name");
    }

    @Test
    void localPathIsTheDefaultWaitingForTheFirstConsumer() {
        ObjectNode localPath = StorageClasses.localPath();
        assertEquals("local-path", localPath.path("metadata").path("name").asText());
        assertEquals("kubundle.io/local-path", localPath.path("provisioner").asText());
        assertEquals(Binder.Mode.WAIT_FOR_FIRST_CONSUMER, StorageClasses.mode(localPath));
        assertEquals("Delete", StorageClasses.reclaimPolicy(localPath));
        assertEquals(Optional.of("local-path"), StorageClasses.defaultClass(List.of(localPath)));
        assertEquals(Binder.Mode.IMMEDIATE, StorageClasses.mode(null), "a class that does not exist binds at once");
    }

    private static Map<String, Object> claim(Map<String, Object> spec, Map<String, String> annotations) {
        Map<String, Object> claim = new HashMap<>();
        claim.put("metadata", new HashMap<>(Map.of("name", "c", "annotations", annotations)));
        claim.put("spec", spec);
        return claim;
    }

    private static String admitted(AdmissionRequest.Operation operation, Map<String, Object> claim) {
        DefaultStorageClass.admit(new AdmissionRequest(operation, "v1", "PersistentVolumeClaim", "ns", "c", claim, null, "u"),
                List.of(StorageClasses.localPath()));
        return (String) ((Map<?, ?>) claim.get("spec")).get("storageClassName");
    }

    @Test
    void claimsCreatedWithoutAClassGetTheDefault() {
        assertEquals("local-path", admitted(AdmissionRequest.Operation.CREATE, claim(new HashMap<>(), Map.of())));
        assertEquals("", admitted(AdmissionRequest.Operation.CREATE, claim(new HashMap<>(Map.of("storageClassName", "")), Map.of())),
                "\"\" asks for no class");
        assertEquals("gold", admitted(AdmissionRequest.Operation.CREATE, claim(new HashMap<>(Map.of("storageClassName", "gold")),
                Map.of())));
        assertEquals(null, admitted(AdmissionRequest.Operation.CREATE, claim(new HashMap<>(), Map.of(Binder.BETA_STORAGE_CLASS, "gold"))));
        assertEquals(null, admitted(AdmissionRequest.Operation.UPDATE, claim(new HashMap<>(), Map.of())), "only creates");
    }
}
