package io.kubundle.client.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * The server answered with an error: its HTTP code and the {@code Status} it sent (reason,
 * message, details with causes).
 */
public final class ApiStatusException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String reason;
    private final transient JsonNode status;

    public ApiStatusException(int code, String reason, String message, JsonNode status) {
        super(code + " " + reason + ": " + message);
        this.code = code;
        this.reason = reason;
        this.status = status == null ? MissingNode.getInstance() : status;
    }

    /** The HTTP status code: 404, 409, 410, 422, ... */
    public int code() {
        return code;
    }

    /** The Status's reason: {@code NotFound}, {@code Conflict}, {@code AlreadyExists}, {@code Expired}, ... */
    public String reason() {
        return reason;
    }

    /** The whole Status object, or a missing node when the server sent none. */
    public JsonNode status() {
        return status;
    }

    public boolean isNotFound() {
        return code == 404;
    }

    public boolean isConflict() {
        return code == 409 && !"AlreadyExists".equals(reason);
    }

    public boolean isAlreadyExists() {
        return code == 409 && "AlreadyExists".equals(reason);
    }

    /** The resource version a list or watch asked for is gone (compacted or out of the cache). */
    public boolean isGone() {
        return code == 410 || "Expired".equals(reason) || "Gone".equals(reason);
    }
}
