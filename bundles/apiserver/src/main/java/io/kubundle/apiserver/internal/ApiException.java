package io.kubundle.apiserver.internal;

import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request that fails, as Kubernetes reports it: an HTTP code, a machine-readable reason, a
 * message for people and, for invalid objects, the field causes. Turned into a {@code Status}.
 */
final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    /** One field of an invalid object: {@code FieldValueRequired metadata.name "Required value"}. */
    record Cause(String reason, String field, String message) {
    }

    private final int code;
    private final String reason;
    private final transient ObjectNode details;
    private final List<Cause> causes;

    ApiException(int code, String reason, String message) {
        this(code, reason, message, null, List.of());
    }

    ApiException(int code, String reason, String message, ObjectNode details, List<Cause> causes) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.details = details;
        this.causes = List.copyOf(causes);
    }

    int code() {
        return code;
    }

    String reason() {
        return reason;
    }

    List<Cause> causes() {
        return causes;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", qualified(type) + " \"" + name + "\" not found", details(type, name), List.of());
    }

    static ApiException notFoundPath(String path) {
        return new ApiException(404, "NotFound", "the server could not find the requested resource");
    }

    static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", qualified(type) + " \"" + name + "\" already exists", details(type, name),
                List.of());
    }

    static ApiException conflict(ResourceType type, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + qualified(type) + " \"" + name + "\": "
                + why, details(type, name), List.of());
    }

    static ApiException invalid(ResourceType type, String name, List<Cause> causes) {
        String message = type.kind() + (type.group().isEmpty() ? "" : "." + type.group()) + " \"" + name + "\" is invalid: "
                + describe(causes);
        ObjectNode details = details(type, name);
        details.put("kind", type.kind());
        return new ApiException(422, "Invalid", message, details, causes);
    }

    private static String describe(List<Cause> causes) {
        StringBuilder message = new StringBuilder();
        for (int i = 0; i < causes.size(); i++) {
            message.append(i == 0 ? "" : ", ").append(causes.get(i).field()).append(": ").append(causes.get(i).message());
        }
        return message.toString();
    }

    /** Server-side apply conflicts: one cause per field another manager owns, as kubectl prints them. */
    static ApiException applyConflict(String message, List<Cause> causes) {
        return new ApiException(409, "Conflict", message, null, causes);
    }

    /**
     * Invalid query options of a request ({@code kind} is {@code PatchOptions}, {@code CreateOptions}
     * or {@code UpdateOptions}), as Kubernetes reports them: 422 on the meta.k8s.io kind.
     */
    static ApiException invalidOptions(String kind, List<Cause> causes) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("group", "meta.k8s.io").put("kind", kind);
        return new ApiException(422, "Invalid", kind + ".meta.k8s.io \"\" is invalid: " + describe(causes), details, causes);
    }

    /** Whether this is a write that lost a race (stale resourceVersion), which a retry may win. */
    boolean isStaleWrite() {
        return code == 409 && "Conflict".equals(reason) && causes.isEmpty();
    }

    static ApiException gone(String message) {
        return new ApiException(410, "Expired", message);
    }

    static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message);
    }

    static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json");
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "RequestEntityTooLarge", "the request body is larger than the " + limit + " bytes allowed");
    }

    /** 429: the request may succeed later (an eviction a disruption budget forbids now). */
    static ApiException tooManyRequests(String message, List<Cause> causes) {
        return new ApiException(429, "TooManyRequests", message, null, causes);
    }

    static ApiException internal(String message) {
        return new ApiException(500, "InternalError", "Internal error occurred: " + message);
    }

    private static String qualified(ResourceType type) {
        return type.group().isEmpty() ? type.plural() : type.plural() + "." + type.group();
    }

    private static ObjectNode details(ResourceType type, String name) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("name", name);
        if (!type.group().isEmpty()) {
            details.put("group", type.group());
        }
        details.put("kind", type.plural());
        return details;
    }

    /** The {@code Status} object for this failure. */
    ObjectNode toStatus() {
        ObjectNode status = Statuses.failure(code, reason, getMessage());
        ObjectNode details = this.details != null ? this.details.deepCopy() : null;
        if (!causes.isEmpty()) {
            if (details == null) {
                details = JsonNodeFactory.instance.objectNode();
            }
            var array = details.putArray("causes");
            for (Cause cause : causes) {
                ObjectNode entry = array.addObject().put("reason", cause.reason()).put("message", cause.message());
                if (!cause.field().isEmpty()) {
                    entry.put("field", cause.field());
                }
            }
        }
        if (details != null) {
            status.set("details", details);
        }
        return status;
    }
}
