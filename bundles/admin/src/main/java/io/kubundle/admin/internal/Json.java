package io.kubundle.admin.internal;

import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON encoding of the plain maps and lists the admin endpoint answers with. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of every error answer: {"error":"<one line>"}. */
    static Map<String, Object> error(String message) {
        return Map.of("error", AdminException.firstLine(message));
    }
}
