package io.kubundle.api.transport;

import java.util.Map;
import java.util.Objects;

/**
 * One request to the API.
 *
 * @param method GET, POST, PUT, PATCH or DELETE
 * @param uri the path and the (encoded) query, such as {@code /api/v1/namespaces/default/pods?limit=500}
 * @param headers request headers such as Content-Type and Accept
 * @param body the body, empty for none
 */
public record ApiCall(String method, String uri, Map<String, String> headers, byte[] body) {
    public ApiCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** A header by name, case-insensitive, or null. */
    public String header(String name) {
        for (Map.Entry<String, String> entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name)) {
                return entry.getValue();
            }
        }
        return null;
    }
}
