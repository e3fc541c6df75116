package io.kubundle.apiserver.internal;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI v2 (swagger) document of {@code /openapi/v2}, made at build time from the v3
 * documents {@link OpenApiGenerator} writes: one document for every group version, the schemas
 * under {@code definitions} (a schema shared by several versions, as apps/v1's Deployment is by
 * the legacy ones, lists every group version kind), each request body as a {@code body}
 * parameter, and int-or-string values as {@code type: string, format: int-or-string}.
 */
final class SwaggerV2 {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String V3_REF = "#/components/schemas/";
    private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch");

    private SwaggerV2() {
    }

    static ObjectNode fromV3(Map<String, ObjectNode> documents) {
        ObjectNode swagger = NODES.objectNode();
        swagger.put("swagger", "2.0");
        swagger.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
        ObjectNode paths = swagger.putObject("paths");
        ObjectNode definitions = swagger.putObject("definitions");
        swagger.putObject("securityDefinitions").putObject("BearerToken").put("description", "Bearer Token authentication")
                .put("type", "apiKey").put("name", "authorization").put("in", "header");
        swagger.putArray("security").addObject().putArray("BearerToken");
        for (ObjectNode document : documents.values()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = document.path("components").path("schemas").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> schema = it.next();
                ObjectNode converted = schema(schema.getValue());
                JsonNode existing = definitions.get(schema.getKey());
                if (existing != null) {
                    mergeKinds((ObjectNode) existing, converted);
                } else {
                    definitions.set(schema.getKey(), converted);
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = document.path("paths").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> path = it.next();
                paths.set(path.getKey(), pathItem(path.getValue()));
            }
        }
        return swagger;
    }

    /** The group version kinds of a schema shared between documents, each once. */
    private static void mergeKinds(ObjectNode existing, ObjectNode other) {
        JsonNode more = other.get("x-kubernetes-group-version-kind");
        if (more == null) {
            return;
        }
        Set<JsonNode> kinds = new LinkedHashSet<>();
        existing.path("x-kubernetes-group-version-kind").forEach(kinds::add);
        more.forEach(kinds::add);
        ArrayNode merged = existing.putArray("x-kubernetes-group-version-kind");
        kinds.forEach(merged::add);
    }

    /** A v3 schema as v2 writes it: references into definitions, no anyOf. */
    private static ObjectNode schema(JsonNode v3) {
        ObjectNode schema = NODES.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = v3.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            switch (name) {
                case "$ref" -> schema.put(name, "#/definitions/" + value.asText().substring(V3_REF.length()));
                case "anyOf", "nullable" -> {
                    // int-or-string: v2 has no anyOf; Kubernetes writes a string with the format
                }
                case "properties" -> {
                    ObjectNode properties = schema.putObject(name);
                    value.fields().forEachRemaining(p -> properties.set(p.getKey(), schema(p.getValue())));
                }
                case "items", "additionalProperties" -> schema.set(name, value.isObject() ? schema(value) : value);
                default -> schema.set(name, value.deepCopy());
            }
        }
        if (v3.has("anyOf")) {
            schema.put("type", "string");
        }
        return schema;
    }

    private static ObjectNode pathItem(JsonNode v3) {
        ObjectNode item = NODES.objectNode();
        if (v3.has("parameters")) {
            item.set("parameters", parameters(v3.get("parameters")));
        }
        for (String method : METHODS) {
            JsonNode operation = v3.get(method);
            if (operation != null) {
                item.set(method, operation(operation));
            }
        }
        return item;
    }

    private static ArrayNode parameters(JsonNode v3) {
        ArrayNode parameters = NODES.arrayNode();
        for (JsonNode parameter : v3) {
            ObjectNode converted = parameters.addObject();
            parameter.fields().forEachRemaining(field -> {
                if (field.getKey().equals("schema")) {
                    // a simple parameter's type is its own in v2
                    converted.setAll((ObjectNode) field.getValue().deepCopy());
                } else {
                    converted.set(field.getKey(), field.getValue().deepCopy());
                }
            });
        }
        return parameters;
    }

    private static ObjectNode operation(JsonNode v3) {
        ObjectNode operation = NODES.objectNode();
        operation.set("description", v3.path("description").deepCopy());
        ArrayNode consumes = operation.putArray("consumes");
        ArrayNode produces = operation.putArray("produces");
        operation.putArray("schemes").add("https");
        operation.set("operationId", v3.path("operationId").deepCopy());
        operation.set("tags", v3.path("tags").deepCopy());
        ArrayNode parameters = parameters(v3.path("parameters"));
        JsonNode body = v3.path("requestBody").path("content");
        body.fieldNames().forEachRemaining(consumes::add);
        if (consumes.isEmpty()) {
            consumes.add("*/*");
        } else {
            ObjectNode parameter = parameters.insertObject(0);
            parameter.put("name", "body").put("in", "body").put("required", true);
            parameter.set("schema", schema(body.elements().next().path("schema")));
        }
        operation.set("parameters", parameters);
        Set<String> mediaTypes = new LinkedHashSet<>();
        ObjectNode responses = operation.putObject("responses");
        for (Iterator<Map.Entry<String, JsonNode>> it = v3.path("responses").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> response = it.next();
            ObjectNode converted = responses.putObject(response.getKey());
            converted.set("description", response.getValue().path("description").deepCopy());
            JsonNode content = response.getValue().path("content");
            content.fieldNames().forEachRemaining(mediaTypes::add);
            if (!content.isEmpty()) {
                converted.set("schema", schema(content.elements().next().path("schema")));
            }
        }
        mediaTypes.forEach(produces::add);
        for (String extension : List.of("x-kubernetes-action", "x-kubernetes-group-version-kind")) {
            if (v3.has(extension)) {
                operation.set(extension, v3.get(extension).deepCopy());
            }
        }
        return operation;
    }
}
