package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' strategic merge patch, for the lists kubectl relies on: lists of objects with a
 * merge key (containers by name, ports by containerPort or port, env by name, volumes by name,
 * volumeMounts by mountPath, ...) merge element by element instead of being replaced, lists of
 * strings with the merge strategy (finalizers) are unions, and the patch directives
 * ({@code $patch}, {@code $setElementOrder}, {@code $deleteFromPrimitiveList}, {@code $retainKeys})
 * are applied, never stored. Every other field behaves as in a JSON merge patch.
 */
final class StrategicMergePatch {
    private StrategicMergePatch() {
    }

    static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        if ("replace".equals(patch.path("$patch").asText())) {
            return withoutDirectives((ObjectNode) patch);
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        List<String> names = new ArrayList<>();
        patch.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode value = patch.get(name);
            if (name.startsWith("$deleteFromPrimitiveList/")) {
                String field = name.substring(name.indexOf('/') + 1);
                if (result.get(field) instanceof ArrayNode list) {
                    removeValues(list, value);
                }
            } else if (name.startsWith("$")) {
                // $setElementOrder and $retainKeys only order or prune what the patch already says
                continue;
            } else if (value.isNull()) {
                result.remove(name);
            } else if (value.isArray() && result.get(name) instanceof ArrayNode current) {
                result.set(name, mergeList(name, current, (ArrayNode) value));
            } else if (value.isObject() && "delete".equals(value.path("$patch").asText())) {
                result.remove(name);
            } else {
                result.set(name, apply(result.get(name), value));
            }
        }
        return result;
    }

    private static JsonNode mergeList(String field, ArrayNode current, ArrayNode patch) {
        if (ListTypes.isSet(field)) {
            ArrayNode union = current.deepCopy();
            for (JsonNode value : patch) {
                if (!contains(union, value)) {
                    union.add(value.deepCopy());
                }
            }
            return union;
        }
        String key = mergeKey(field, current, patch);
        if (key == null) {
            return stripDirectives(patch);
        }
        ArrayNode merged = current.deepCopy();
        for (JsonNode element : patch) {
            if (!element.isObject()) {
                return stripDirectives(patch);
            }
            int at = indexOf(merged, key, element.get(key));
            if ("delete".equals(element.path("$patch").asText())) {
                if (at >= 0) {
                    merged.remove(at);
                }
            } else if (at >= 0) {
                merged.set(at, apply(merged.get(at), element));
            } else {
                merged.add(apply(null, element));
            }
        }
        return merged;
    }

    /** The merge key of a list, from an element of the patch (else of the current list) where ports need one. */
    private static String mergeKey(String field, ArrayNode current, ArrayNode patch) {
        JsonNode sample = patch.size() > 0 ? patch.get(0) : current.size() > 0 ? current.get(0) : null;
        return ListTypes.mergeKey(field, sample);
    }

    private static int indexOf(ArrayNode list, String key, JsonNode value) {
        for (int i = 0; i < list.size(); i++) {
            if (value != null && value.equals(list.get(i).get(key))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean contains(ArrayNode list, JsonNode value) {
        for (JsonNode element : list) {
            if (element.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static void removeValues(ArrayNode list, JsonNode values) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (values.isArray() && contains((ArrayNode) values, list.get(i))) {
                list.remove(i);
            }
        }
    }

    private static JsonNode stripDirectives(JsonNode node) {
        if (node instanceof ObjectNode object) {
            return withoutDirectives(object);
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            array.forEach(element -> copy.add(stripDirectives(element)));
            return copy;
        }
        return node.deepCopy();
    }

    private static ObjectNode withoutDirectives(ObjectNode object) {
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        object.fields().forEachRemaining(e -> {
            if (!e.getKey().startsWith("$")) {
                copy.set(e.getKey(), stripDirectives(e.getValue()));
            }
        });
        return copy;
    }
}
