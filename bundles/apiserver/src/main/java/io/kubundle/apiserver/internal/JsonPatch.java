package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON patch, RFC 6902: add, remove, replace, move, copy and test, applied all or nothing. */
final class JsonPatch {
    private JsonPatch() {
    }

    static JsonNode apply(JsonNode target, JsonNode patch) throws ApiException {
        if (!patch.isArray()) {
            throw ApiException.badRequest("a JSON patch must be an array of operations");
        }
        JsonNode document = target.deepCopy();
        for (JsonNode operation : patch) {
            String op = operation.path("op").asText("");
            List<String> path = pointer(operation.path("path").asText(null));
            switch (op) {
                case "add" -> document = add(document, path, value(operation));
                case "remove" -> {
                    get(document, path);
                    document = remove(document, path);
                }
                case "replace" -> {
                    get(document, path);
                    document = add(remove(document, path), path, value(operation));
                }
                case "move" -> {
                    List<String> from = pointer(operation.path("from").asText(null));
                    JsonNode moved = get(document, from);
                    document = add(remove(document, from), path, moved);
                }
                case "copy" -> document = add(document, path, get(document, pointer(operation.path("from").asText(null))).deepCopy());
                case "test" -> {
                    if (!get(document, path).equals(value(operation))) {
                        throw new ApiException(422, "Invalid", "the JSON patch test operation failed at " + operation.path("path").asText());
                    }
                }
                default -> throw ApiException.badRequest("unknown JSON patch operation \"" + op + "\"");
            }
        }
        return document;
    }

    private static JsonNode value(JsonNode operation) throws ApiException {
        if (!operation.has("value")) {
            throw ApiException.badRequest("the JSON patch operation " + operation.path("op").asText() + " needs a value");
        }
        return operation.get("value").deepCopy();
    }

    private static List<String> pointer(String text) throws ApiException {
        if (text == null || (!text.isEmpty() && !text.startsWith("/"))) {
            throw ApiException.badRequest("invalid JSON pointer: " + text);
        }
        List<String> parts = new ArrayList<>();
        if (text.isEmpty()) {
            return parts;
        }
        for (String part : text.substring(1).split("/", -1)) {
            parts.add(part.replace("~1", "/").replace("~0", "~"));
        }
        return parts;
    }

    private static JsonNode get(JsonNode document, List<String> path) throws ApiException {
        JsonNode node = document;
        for (String part : path) {
            node = node.isArray() ? node.get(index(part, node.size() - 1)) : node.get(part);
            if (node == null) {
                throw new ApiException(422, "Invalid", "the JSON patch path /" + String.join("/", path) + " does not exist");
            }
        }
        return node;
    }

    private static JsonNode add(JsonNode document, List<String> path, JsonNode value) throws ApiException {
        if (path.isEmpty()) {
            return value;
        }
        JsonNode parent = get(document, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.set(last, value);
        } else if (parent instanceof ArrayNode array) {
            if (last.equals("-")) {
                array.add(value);
            } else {
                array.insert(index(last, array.size()), value);
            }
        } else {
            throw new ApiException(422, "Invalid", "the JSON patch path /" + String.join("/", path) + " is inside a value");
        }
        return document;
    }

    private static JsonNode remove(JsonNode document, List<String> path) throws ApiException {
        if (path.isEmpty()) {
            throw new ApiException(422, "Invalid", "the JSON patch cannot remove the whole document");
        }
        JsonNode parent = get(document, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent instanceof ObjectNode object) {
            object.remove(last);
        } else if (parent instanceof ArrayNode array) {
            array.remove(index(last, array.size() - 1));
        }
        return document;
    }

    private static int index(String part, int max) throws ApiException {
        try {
            int index = Integer.parseInt(part);
            if (index < 0 || index > max) {
                throw new ApiException(422, "Invalid", "the JSON patch index " + part + " is out of range");
            }
            return index;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("the JSON patch index \"" + part + "\" is not a number");
        }
    }
}
