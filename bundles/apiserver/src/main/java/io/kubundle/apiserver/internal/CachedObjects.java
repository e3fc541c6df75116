package io.kubundle.apiserver.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

        Item(String key, ObjectNode object, long revision) {
            this.key = key;
            this.object = object;
            this.revision = revision;
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
    }

    /**
     * One write of one key: {@code current} is null for a delete, {@code previous} for a create.
     * The watch lines built from it are kept, so a hundred watchers share one encoding.
     */
    static final class Change {
        final long revision;
        final String key;
        final Item current;
        final Item previous;
        private final Map<String, byte[]> lines = new ConcurrentHashMap<>();
        private byte[] deleted;

        Change(long revision, String key, Item current, Item previous) {
            this.revision = revision;
            this.key = key;
            this.current = current;
            this.previous = previous;
        }

        /** The line {@code {"type":..., "object": <the current object>}}. */
        byte[] line(ObjectMapper mapper, String type) {
            return lines.computeIfAbsent(type, t -> watchLine(t, current.json(mapper)));
        }

        /** The DELETED line of a delete: the object as it was, at the deletion's revision. */
        byte[] deletedLine(ObjectMapper mapper) {
            return lines.computeIfAbsent("DELETED/previous", t -> watchLine("DELETED", deletedJson(mapper)));
        }

        private synchronized byte[] deletedJson(ObjectMapper mapper) {
            if (deleted == null) {
                deleted = write(mapper, deletedObject());
            }
            return deleted;
        }

        /** A copy of the previous object carrying the deletion's revision as its resourceVersion. */
        ObjectNode deletedObject() {
            ObjectNode object = previous.object.deepCopy();
            object.with("metadata").put("resourceVersion", Long.toString(revision));
            return object;
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
