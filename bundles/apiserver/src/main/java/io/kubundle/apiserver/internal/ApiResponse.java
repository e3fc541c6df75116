package io.kubundle.apiserver.internal;

import java.nio.charset.StandardCharsets;

/** A complete reply. Streams (watches) go through {@link EventSink} instead. */
record ApiResponse(int status, String contentType, byte[] body) {
    static ApiResponse text(int status, String text) {
        return new ApiResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
}
