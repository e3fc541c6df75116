package io.kubundle.itests.framework;

import java.util.LinkedHashMap;
import java.util.Map;

import io.kubundle.api.admission.AdmissionChain;
import io.kubundle.api.admission.AdmissionRequest;

/** Runs a write through the admission chain and reads what the sample plugin wrote, if anything. */
final class Greetings {
    static final String ANNOTATION = "sample.kubundle.io/greeting";

    private Greetings() {
    }

    static String greetingOf(AdmissionChain chain) throws Exception {
        Map<String, Object> object = new LinkedHashMap<>(Map.of("metadata", new LinkedHashMap<>(Map.of("name", "probe"))));
        chain.admit(new AdmissionRequest(AdmissionRequest.Operation.CREATE, "v1", "ConfigMap", "default", "probe", object,
                null, "itest"));
        Object annotations = ((Map<?, ?>) object.get("metadata")).get("annotations");
        return annotations instanceof Map<?, ?> map ? (String) map.get(ANNOTATION) : null;
    }
}
