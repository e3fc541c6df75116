package io.kubundle.apiserver.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A complete reply. Streams (watches) go through {@link EventSink} instead.
 *
 * @param warnings texts sent as {@code Warning: 299 - "..."} headers (kubectl prints them), usually none
 */
record ApiResponse(int status, String contentType, byte[] body, List<String> warnings) {
    ApiResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, List.of());
    }

    ApiResponse withWarnings(List<String> more) {
        return more.isEmpty() ? this : new ApiResponse(status, contentType, body, List.copyOf(more));
    }

    static ApiResponse text(int status, String text) {
        return new ApiResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }
}
