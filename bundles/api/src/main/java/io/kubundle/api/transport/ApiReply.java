package io.kubundle.api.transport;

import java.util.Objects;

/**
 * A complete reply.
 *
 * @param status the HTTP status code
 * @param contentType the reply's media type
 * @param body the reply body
 */
public record ApiReply(int status, String contentType, byte[] body) {
    public ApiReply {
        contentType = contentType == null ? "" : contentType;
        Objects.requireNonNull(body, "body");
    }

    /** True for a 2xx status. */
    public boolean ok() {
        return status >= 200 && status < 300;
    }
}
