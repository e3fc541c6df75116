package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The patch of a client-side apply, as an RFC 7386 JSON merge patch computed from three versions
 * of an object: the configuration applied last time (the {@code last-applied-configuration}
 * annotation), the new configuration, and the live object. Fields of the new configuration that
 * differ from the live object are set; fields the last configuration had and the new one lacks
 * are deleted (null); fields only the server or other clients set are left alone. Lists are
 * replaced whole, as merge patches do, and only when the configuration changed them or the live
 * list no longer holds what it says (the server's defaults in list items, such as a container's
 * {@code imagePullPolicy}, do not count as a difference). Unlike kubectl's strategic merge, a
 * list item someone else added to a list the configuration changes is lost.
 */
public final class ThreeWayMerge {
    private ThreeWayMerge() {
    }

    /** The patch; empty when the live object already matches. */
    public static ObjectNode patch(JsonNode original, JsonNode modified, JsonNode live) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = modified.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            JsonNode wanted = field.getValue();
            JsonNode current = live.path(key);
            if (wanted.isObject() && current.isObject()) {
                ObjectNode inner = patch(original.path(key), wanted, current);
                if (!inner.isEmpty()) {
                    patch.set(key, inner);
                }
            } else if (wanted.isNull()) {
                if (!current.isMissingNode() && !current.isNull()) {
                    patch.putNull(key);
                }
            } else if (wanted.isArray() && current.isArray()) {
                if (!same(wanted, original.path(key)) || !covers(current, wanted)) {
                    patch.set(key, wanted.deepCopy());
                }
            } else if (!same(wanted, current)) {
                patch.set(key, wanted.deepCopy());
            }
        }
        for (Iterator<String> names = original.fieldNames(); names.hasNext();) {
            String key = names.next();
            if (!modified.has(key) && live.has(key) && !live.get(key).isNull()) {
                patch.putNull(key);
            }
        }
        return patch;
    }

    /** Whether the live value holds everything the wanted one says, and maybe more (the server's defaults). */
    static boolean covers(JsonNode live, JsonNode wanted) {
        if (wanted.isObject()) {
            if (!live.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = wanted.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!covers(live.path(field.getKey()), field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (wanted.isArray()) {
            if (!live.isArray() || live.size() != wanted.size()) {
                return false;
            }
            for (int i = 0; i < wanted.size(); i++) {
                if (!covers(live.get(i), wanted.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return same(wanted, live);
    }

    /** Equal as JSON values: numbers by value, whatever their Java type. */
    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null || a instanceof MissingNode || b instanceof MissingNode) {
            return a == b;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = a.fields(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!same(field.getValue(), b.get(field.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!same(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }
}
