package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code explain}: a resource's or field's type, description and fields from the OpenAPI v3
 * document of its group version, laid out as kubectl 1.32 prints them.
 */
public final class Explainer {
    private static final int MAX_REFS = 20;

    private final JsonNode schemas;

    /** @param document the group version's OpenAPI v3 document */
    public Explainer(JsonNode document) {
        this.schemas = document.path("components").path("schemas");
    }

    /** The text for the resource and a path of fields under it (empty for the resource itself). */
    public String explain(ApiResource resource, List<String> fieldPath) throws CommandException {
        JsonNode schema = schemaOf(resource);
        StringBuilder out = new StringBuilder();
        if (!resource.group().isEmpty()) {
            out.append("GROUP:      ").append(resource.group()).append('\n');
        }
        out.append("KIND:       ").append(resource.kind()).append('\n');
        out.append("VERSION:    ").append(resource.version()).append("\n\n");
        JsonNode field = schema;
        for (String name : fieldPath) {
            JsonNode properties = fieldsOf(field);
            if (!properties.has(name)) {
                throw new CommandException("field \"" + name + "\" does not exist");
            }
            field = properties.get(name);
        }
        if (!fieldPath.isEmpty()) {
            out.append("FIELD: ").append(fieldPath.get(fieldPath.size() - 1)).append(" <").append(typeName(field))
                    .append(">\n\n\n");
        }
        out.append("DESCRIPTION:\n");
        String description = description(field);
        out.append(indent(description.isEmpty() ? "<empty>" : description, "    "));
        JsonNode fields = fieldsOf(field);
        if (fields.isEmpty()) {
            return out.append('\n').toString();
        }
        out.append("FIELDS:\n");
        List<String> names = new ArrayList<>();
        fields.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        for (String name : names) {
            JsonNode property = fields.get(name);
            String text = description(property);
            out.append("  ").append(name).append('\t').append('<').append(typeName(property)).append(">\n")
                    .append(indent(text.isEmpty() ? "<no description>" : text, "    ")).append('\n');
        }
        return out.append('\n').toString();
    }

    private JsonNode schemaOf(ApiResource resource) throws CommandException {
        for (Iterator<Map.Entry<String, JsonNode>> it = schemas.fields(); it.hasNext();) {
            JsonNode schema = it.next().getValue();
            for (JsonNode gvk : schema.path("x-kubernetes-group-version-kind")) {
                if (gvk.path("group").asText().equals(resource.group()) && gvk.path("version").asText().equals(resource.version())
                        && gvk.path("kind").asText().equals(resource.kind())) {
                    return schema;
                }
            }
        }
        throw new CommandException("couldn't find resource for \"" + resource.apiVersion() + ", Kind=" + resource.kind() + "\"");
    }

    /** The properties of the field's type, through references, list items and map values. */
    private JsonNode fieldsOf(JsonNode field) {
        JsonNode schema = resolve(field);
        for (int depth = 0; depth < MAX_REFS; depth++) {
            if (schema.has("properties")) {
                return schema.get("properties");
            }
            if (schema.has("items")) {
                schema = resolve(schema.get("items"));
            } else if (schema.path("additionalProperties").isObject()) {
                schema = resolve(schema.get("additionalProperties"));
            } else {
                break;
            }
        }
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }

    private JsonNode resolve(JsonNode schema) {
        for (int depth = 0; depth < MAX_REFS; depth++) {
            String ref = reference(schema);
            if (ref == null) {
                return schema;
            }
            schema = schemas.path(ref.substring(ref.lastIndexOf('/') + 1));
        }
        return schema;
    }

    // a $ref, directly or as the one member of allOf (how descriptions are attached to references)
    private static String reference(JsonNode schema) {
        if (schema.has("$ref")) {
            return schema.get("$ref").asText();
        }
        JsonNode allOf = schema.path("allOf");
        return allOf.size() == 1 && allOf.get(0).has("$ref") ? allOf.get(0).get("$ref").asText() : null;
    }

    /** {@code string}, {@code []Container}, {@code map[string]string}, {@code ObjectMeta}, {@code Object}. */
    String typeName(JsonNode schema) {
        String ref = reference(schema);
        if (ref != null) {
            String name = ref.substring(ref.lastIndexOf('/') + 1);
            return name.substring(name.lastIndexOf('.') + 1);
        }
        if (schema.has("items")) {
            return "[]" + typeName(schema.get("items"));
        }
        if (schema.path("additionalProperties").isObject()) {
            return "map[string]" + typeName(schema.get("additionalProperties"));
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
            return "IntOrString";
        }
        String type = schema.path("type").asText("");
        return type.isEmpty() || type.equals("object") ? "Object" : type;
    }

    private static String description(JsonNode schema) {
        return schema.path("description").asText("").strip();
    }

    private static String indent(String text, String prefix) {
        StringBuilder out = new StringBuilder();
        text.lines().forEach(line -> out.append(line.isEmpty() ? "" : prefix).append(line).append('\n'));
        return out.toString();
    }
}
