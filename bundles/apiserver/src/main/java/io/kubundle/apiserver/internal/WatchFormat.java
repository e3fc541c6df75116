package io.kubundle.apiserver.internal;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.apiserver.internal.CachedObjects.Item;

/**
 * How a watch writes its events, chosen by the request's Accept header: JSON lines
 * ({@code {"type":..., "object":...}\n}) of objects or of Table rows, or protobuf frames
 * (a length-prefixed {@code meta/v1 WatchEvent} each, the object embedded with its envelope).
 *
 * <p>Events of stored objects are built from an {@link Item}, whose JSON and protobuf encodings
 * are made once and kept; {@link CachedObjects.Change} keeps each event it is asked for, per
 * format, so every watcher of a change shares one encoding.
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

    /** The format a watch answered as {@code representation} (what content negotiation chose) writes. */
    static WatchFormat of(String representation, ResourceType type) {
        if (MediaTypes.TABLE_JSON.equals(representation)) {
            return TABLE;
        }
        // a kind without a protobuf form (a custom resource) is watched in JSON
        return MediaTypes.PROTOBUF.equals(representation) && ProtobufBodies.canEncode(type.apiVersion(), type.kind()) ? PROTOBUF
                : JSON;
    }

    /**
     * One event of a stored object, ready to write; {@code columns}: a Table row carries the
     * column definitions (a watch's first row does).
     */
    byte[] event(ObjectMapper json, ResourceType type, String eventType, Item item, boolean columns) {
        return switch (this) {
            case JSON -> CachedObjects.watchLine(eventType, item.json(json));
            case PROTOBUF -> ProtobufBodies.watchFrame(eventType, item.protobuf());
            case TABLE -> CachedObjects.watchLine(json, eventType, Tables.table(type, List.of(item.object),
                    item.object.path("metadata").path("resourceVersion").asText(), null, columns));
        };
    }

    /** One event of any other object (a bookmark, an error), ready to write. */
    byte[] event(ObjectMapper json, String type, ObjectNode object) {
        if (this == PROTOBUF) {
            ProtobufBodies.Encoded encoded = ProtobufBodies.shared().encode(object);
            if (encoded == null) {
                throw ProtobufBodies.noProtobufForm(object);
            }
            ProtobufBodies.warnDropped(object, encoded.dropped());
            return ProtobufBodies.watchFrame(type, encoded.body());
        }
        return CachedObjects.watchLine(json, type, object);
    }
}
