package io.kubundle.apiserver.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.store.KeyValue;

/**
 * What the watch cache holds: objects decoded once ({@link Item}) and the changes between them
 * ({@link Change}). Both are shared by every list and watch that reads them, so nobody may change
 * their trees; their JSON is encoded once, when first asked for.
 */
final class CachedObjects {
    private CachedObjects() {
    }

    /** One object as stored at {@code revision} (its mod revision, also its resourceVersion). */
    static final class Item {
        final String key;
        final ObjectNode object;
        final long revision;
        private Map<String, String> labels;
        private byte[] json;
        private byte[] listJson;
        private ProtobufBodies.Encoded protobufMessage;
        private byte[] protobuf;

        Item(String key, ObjectNode object, long revision) {
            this.key = key;
            this.object = object;
            this.revision = revision;
        }

        /** A stored object, decoded. */
        static Item decode(ObjectStorage storage, KeyValue kv) throws ApiException {
            return new Item(kv.key(), storage.decode(kv), kv.modRevision());
        }

        boolean matches(ListOptions options) {
            return (options.labels().isEverything() || options.labels().matches(labels()))
                    && options.fields().matches(object);
        }

        private synchronized Map<String, String> labels() {
            if (labels == null) {
                labels = ObjectStorage.labels(object);
            }
            return labels;
        }

        /** The object as JSON. */
        synchronized byte[] json(ObjectMapper mapper) {
            if (json == null) {
                json = write(mapper, object);
            }
            return json;
        }

        /** The object as a list item: without kind and apiVersion, which clients take from the list. */
        synchronized byte[] listJson(ObjectMapper mapper) {
            if (listJson == null) {
                ObjectNode copy = object.deepCopy();
                copy.remove("kind");
                copy.remove("apiVersion");
                listJson = write(mapper, copy);
            }
            return listJson;
        }

        /**
         * The object as a bare protobuf message (as a list holds it) and the fields the message
         * lacks; null if its kind has no protobuf form.
         */
        synchronized ProtobufBodies.Encoded protobufMessage() {
            if (protobufMessage == null) {
                ProtobufBodies.Encoded encoded = ProtobufBodies.shared().message(object);
                if (encoded == null) {
                    throw ProtobufBodies.noProtobufForm(object);
                }
                ProtobufBodies.warnDropped(object, encoded.dropped());
                protobufMessage = encoded;
            }
            return protobufMessage;
        }

        /** The object as a protobuf body (magic, envelope, message), as a watch event embeds it. */
        synchronized byte[] protobuf() {
            if (protobuf == null) {
                protobuf = ProtobufBodies.envelope(object.path("apiVersion").asText(""), object.path("kind").asText(""),
                        protobufMessage().body());
            }
            return protobuf;
        }
    }

    /**
     * One write of one key: {@code current} is null for a delete, {@code previous} for a create.
     * The events built from it are kept per format, so a hundred watchers share one encoding.
     */
    static final class Change {
        final long revision;
        final String key;
        final Item current;
        final Item previous;
        private final Map<String, byte[]> events = new ConcurrentHashMap<>();
        private Item deleted;

        Change(long revision, String key, Item current, Item previous) {
            this.revision = revision;
            this.key = key;
            this.current = current;
            this.previous = previous;
        }

        /**
         * What a watch with these selectors sees of this change: ADDED, MODIFIED or DELETED (an
         * object leaving the selection is gone to it, one entering it new, as Kubernetes sends
         * them), or null for nothing.
         */
        String seenAs(ListOptions options) {
            boolean matchesNow = current != null && current.matches(options);
            boolean matchedBefore = previous != null && previous.matches(options);
            if (matchesNow) {
                return matchedBefore ? "MODIFIED" : "ADDED";
            }
            return matchedBefore ? "DELETED" : null;
        }

        /**
         * The event {@code eventType} of this change as {@code format} writes it, encoded once:
         * of the current object, or of a delete's object as it was, at the deletion's revision.
         */
        byte[] event(WatchFormat format, ObjectMapper mapper, ResourceType type, String eventType, boolean columns) {
            boolean withColumns = columns && format == WatchFormat.TABLE;
            return events.computeIfAbsent(format + "/" + eventType + (withColumns ? "/columns" : ""),
                    k -> format.event(mapper, type, eventType, object(), withColumns));
        }

        /** The object its events carry. */
        synchronized Item object() {
            if (current != null) {
                return current;
            }
            if (deleted == null) {
                ObjectNode object = previous.object.deepCopy();
                object.with("metadata").put("resourceVersion", Long.toString(revision));
                deleted = new Item(key, object, revision);
            }
            return deleted;
        }
    }

    /** {@code {"type":TYPE,"object":OBJECT}\n} from an already encoded object. */
    static byte[] watchLine(String type, byte[] object) {
        byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[head.length + object.length + 2];
        System.arraycopy(head, 0, line, 0, head.length);
        System.arraycopy(object, 0, line, head.length, object.length);
        line[line.length - 2] = '}';
        line[line.length - 1] = '\n';
        return line;
    }

    /** A watch line of any object (errors, bookmarks, table rows). */
    static byte[] watchLine(ObjectMapper mapper, String type, ObjectNode object) {
        return watchLine(type, write(mapper, object));
    }

    /** A list response: the list's kind, apiVersion and metadata, then the items as they are encoded. */
    static byte[] listJson(ObjectMapper mapper, ObjectNode head, Iterable<byte[]> items) {
        byte[] start = write(mapper, head);
        ByteArrayOutputStream out = new ByteArrayOutputStream(start.length + 1024);
        out.write(start, 0, start.length - 1);
        out.writeBytes(",\"items\":[".getBytes(StandardCharsets.US_ASCII));
        boolean first = true;
        for (byte[] item : items) {
            if (!first) {
                out.write(',');
            }
            first = false;
            out.writeBytes(item);
        }
        out.writeBytes("]}".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    static byte[] write(ObjectMapper mapper, ObjectNode object) {
        try {
            return mapper.writeValueAsBytes(object);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + object.path("kind").asText("an object"), e);
        }
    }
}
