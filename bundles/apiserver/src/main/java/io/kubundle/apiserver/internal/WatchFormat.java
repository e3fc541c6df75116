package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a watch writes its events, chosen by the request's Accept header: JSON lines
 * ({@code {"type":..., "object":...}\n}) of objects or of Table rows, or protobuf frames
 * (a length-prefixed {@code meta/v1 WatchEvent} each, the object embedded with its envelope).
 */
enum WatchFormat {
    JSON(MediaTypes.JSON),
    TABLE(MediaTypes.TABLE_JSON),
    PROTOBUF(MediaTypes.PROTOBUF_WATCH);

    private final String contentType;

    WatchFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The Content-Type of the stream. */
    String contentType() {
        return contentType;
    }

    /** One event, ready to write. */
    byte[] event(ObjectMapper json, String type, ObjectNode object) {
        if (this == PROTOBUF) {
            ProtobufBodies.Encoded encoded = ProtobufBodies.shared().encode(object);
            if (encoded == null) {
                throw new IllegalStateException("no protobuf form for " + object.path("apiVersion").asText() + " "
                        + object.path("kind").asText());
            }
            ProtobufBodies.warnDropped(object, encoded.dropped());
            return ProtobufBodies.watchFrame(type, encoded.body());
        }
        ObjectNode event = json.createObjectNode();
        event.put("type", type);
        event.set("object", object);
        try {
            byte[] line = json.writeValueAsBytes(event);
            byte[] withNewline = Arrays.copyOf(line, line.length + 1);
            withNewline[line.length] = '\n';
            return withNewline;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise a watch event", e);
        }
    }
}
