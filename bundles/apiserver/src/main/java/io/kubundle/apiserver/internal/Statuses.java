package io.kubundle.apiserver.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code meta/v1 Status} objects. */
final class Statuses {
    private Statuses() {
    }

    static ObjectNode failure(int code, String reason, String message) {
        ObjectNode status = base("Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return status;
    }

    static ObjectNode success() {
        ObjectNode status = base("Success");
        status.put("code", 200);
        return status;
    }

    /** What Kubernetes answers to a create subresource such as binding and eviction. */
    static ObjectNode created() {
        ObjectNode status = base("Success");
        status.put("code", 201);
        return status;
    }

    private static ObjectNode base(String outcome) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", outcome);
        return status;
    }
}
