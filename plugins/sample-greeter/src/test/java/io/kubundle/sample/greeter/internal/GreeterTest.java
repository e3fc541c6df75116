package io.kubundle.sample.greeter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.AdmissionRequest.Operation;

class GreeterTest {
    private final Greeter greeter = new Greeter("example.com/greeting", "Hi from test 1.0.0");

    private static AdmissionRequest request(Operation operation, Map<String, Object> object) {
        return new AdmissionRequest(operation, "v1", "ConfigMap", "default", "cm", object, null, "admin");
    }

    @Test
    void addsTheAnnotationAndKeepsOthers() {
        Map<String, Object> annotations = new HashMap<>(Map.of("keep", "me"));
        Map<String, Object> object = new LinkedHashMap<>(Map.of("metadata", new HashMap<>(Map.of("annotations", annotations))));
        greeter.admit(request(Operation.CREATE, object));
        assertEquals(Map.of("keep", "me", "example.com/greeting", "Hi from test 1.0.0"), annotations);
    }

    @Test
    void createsMissingMetadataAndIsIdempotent() {
        Map<String, Object> object = new LinkedHashMap<>();
        greeter.admit(request(Operation.UPDATE, object));
        Map<String, Object> once = deepCopy(object);
        greeter.admit(request(Operation.UPDATE, object));
        assertEquals(once, object);
        assertEquals(Map.of("metadata", Map.of("annotations", Map.of("example.com/greeting", "Hi from test 1.0.0"))), object);
    }

    @Test
    void leavesDeletesAlone() {
        Map<String, Object> object = new LinkedHashMap<>();
        greeter.admit(request(Operation.DELETE, object));
        assertFalse(object.containsKey("metadata"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, v instanceof Map<?, ?> m ? deepCopy((Map<String, Object>) m) : v));
        return copy;
    }
}
