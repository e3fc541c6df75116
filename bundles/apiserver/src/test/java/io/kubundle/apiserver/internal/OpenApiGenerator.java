package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes the OpenAPI v3 documents the server serves, one per group version, and the v2 document
 * made from them ({@link SwaggerV2}), at build time
 * (exec-maven-plugin, process-test-classes): schemas from fabric8's model classes by reflection,
 * paths from {@link ResourceTypes}. The runtime never loads fabric8.
 */
public final class OpenApiGenerator {
    private static final String FABRIC8 = "io.fabric8.kubernetes.api.model";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    private static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    private static final Set<String> META_TYPES = Set.of("ObjectMeta", "ListMeta", "OwnerReference", "ManagedFieldsEntry",
            "LabelSelector", "LabelSelectorRequirement", "FieldsV1", "Condition", "MicroTime", "Time", "Duration", "Status",
            "StatusDetails", "StatusCause", "DeleteOptions", "Preconditions");
    /** The fabric8 package of each group's current version. */
    private static final Map<String, String> PACKAGES = Map.ofEntries(
            Map.entry("", FABRIC8), Map.entry("apps", FABRIC8 + ".apps"), Map.entry("batch", FABRIC8 + ".batch.v1"),
            Map.entry("coordination.k8s.io", FABRIC8 + ".coordination.v1"), Map.entry("discovery.k8s.io", FABRIC8 + ".discovery.v1"),
            Map.entry("events.k8s.io", FABRIC8 + ".events.v1"), Map.entry("storage.k8s.io", FABRIC8 + ".storage"),
            Map.entry("policy", FABRIC8 + ".policy.v1"), Map.entry("rbac.authorization.k8s.io", FABRIC8 + ".rbac"),
            Map.entry("certificates.k8s.io", FABRIC8 + ".certificates.v1"), Map.entry("networking.k8s.io", FABRIC8 + ".networking.v1"));
    private static final List<String> LEGACY = List.of("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Map<String, ObjectNode> schemas = new TreeMap<>();

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]).resolve("openapi/v3");
        Files.createDirectories(out);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        Map<String, ObjectNode> documents = documents(ResourceTypes.builtIn());
        for (Map.Entry<String, ObjectNode> document : documents.entrySet()) {
            Files.write(out.resolve(OpenApi.fileName(document.getKey())), mapper.writeValueAsBytes(document.getValue()));
        }
        Files.writeString(out.resolve("index.txt"), String.join("\n", documents.keySet()) + "\n");
        Path v2 = Path.of(args[0]).resolve(OpenApi.V2);
        Files.createDirectories(v2.getParent());
        Files.write(v2, mapper.writeValueAsBytes(SwaggerV2.fromV3(documents)));
    }

    /** Group version path ({@code api/v1}, {@code apis/apps/v1}) to its document. */
    static Map<String, ObjectNode> documents(ResourceTypes types) {
        Map<String, List<ResourceType>> byVersion = new LinkedHashMap<>();
        for (ResourceType type : types.all()) {
            byVersion.computeIfAbsent(type.apiVersion(), v -> new ArrayList<>()).add(type);
        }
        for (String legacy : LEGACY) {
            int slash = legacy.indexOf('/');
            for (ResourceType type : types.all()) {
                if (type.group().equals("apps") && ResourceTypes.isLegacy(legacy, type.kind())) {
                    byVersion.computeIfAbsent(legacy, v -> new ArrayList<>()).add(new ResourceType(legacy.substring(0, slash),
                            legacy.substring(slash + 1), type.kind(), type.plural(), type.namespaced(), type.shortNames(),
                            type.subresources()));
                }
            }
        }
        Map<String, ObjectNode> documents = new LinkedHashMap<>();
        for (Map.Entry<String, List<ResourceType>> version : byVersion.entrySet()) {
            ResourceType first = version.getValue().get(0);
            String path = first.group().isEmpty() ? "api/" + first.version() : "apis/" + first.group() + "/" + first.version();
            documents.put(path, new OpenApiGenerator().document(version.getKey(), version.getValue()));
        }
        return documents;
    }

    private ObjectNode document(String groupVersion, List<ResourceType> types) {
        ObjectNode doc = NODES.objectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType type : types) {
            String name = kindSchema(type);
            ArrayNode gvks = schemas.get(name).putArray("x-kubernetes-group-version-kind");
            gvks.addObject().put("group", type.group()).put("kind", type.kind()).put("version", type.version());
            paths(paths, type, name);
        }
        addStatus();
        ObjectNode all = doc.putObject("components").putObject("schemas");
        schemas.forEach(all::set);
        return doc;
    }

    private String kindSchema(ResourceType type) {
        String group = type.group().equals("extensions") || ResourceTypes.isLegacy(type.apiVersion(), type.kind()) ? "apps" : type.group();
        try {
            return ref(Class.forName(PACKAGES.get(group) + "." + type.kind()));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no fabric8 model class for " + type.apiVersion() + " " + type.kind(), e);
        }
    }

    private void addStatus() {
        ref(io.fabric8.kubernetes.api.model.Status.class);
        ref(io.fabric8.kubernetes.api.model.DeleteOptions.class);
    }

    private void paths(ObjectNode paths, ResourceType type, String schema) {
        String prefix = "/" + (type.group().isEmpty() ? "api/" + type.version() : "apis/" + type.group() + "/" + type.version());
        String collection = type.namespaced() ? prefix + "/namespaces/{namespace}/" + type.plural() : prefix + "/" + type.plural();
        String kind = type.kind();
        ObjectNode list = paths.putObject(collection);
        parameters(list, type.namespaced(), false);
        list.set("get", operation(type, "list", "list" + kind, "list or watch objects of kind " + kind, null, schema + "List"));
        list.set("post", operation(type, "post", "create" + kind, "create a " + kind, schema, schema));
        list.set("delete", operation(type, "deletecollection", "deleteCollection" + kind, "delete collection of " + kind,
                META + "DeleteOptions", META + "Status"));
        ObjectNode item = paths.putObject(collection + "/{name}");
        parameters(item, type.namespaced(), true);
        item.set("get", operation(type, "get", "read" + kind, "read the specified " + kind, null, schema));
        item.set("put", operation(type, "put", "replace" + kind, "replace the specified " + kind, schema, schema));
        item.set("patch", operation(type, "patch", "patch" + kind, "partially update the specified " + kind, "patch", schema));
        item.set("delete", operation(type, "delete", "delete" + kind, "delete a " + kind, META + "DeleteOptions", META + "Status"));
        if (type.namespaced()) {
            ObjectNode all = paths.putObject(prefix + "/" + type.plural());
            all.set("get", operation(type, "list", "list" + kind + "ForAllNamespaces", "list or watch objects of kind " + kind,
                    null, schema + "List"));
        }
        if (!schemas.containsKey(schema + "List")) {
            ObjectNode listSchema = NODES.objectNode();
            listSchema.put("description", kind + "List is a list of " + kind + ".").put("type", "object");
            ObjectNode properties = listSchema.putObject("properties");
            properties.putObject("apiVersion").put("type", "string");
            properties.putObject("kind").put("type", "string");
            properties.putObject("metadata").put("$ref", "#/components/schemas/" + META + "ListMeta");
            properties.putObject("items").put("type", "array").putObject("items").put("$ref", "#/components/schemas/" + schema);
            listSchema.putArray("required").add("items");
            schemas.put(schema + "List", listSchema);
            ref(io.fabric8.kubernetes.api.model.ListMeta.class);
        }
    }

    private static void parameters(ObjectNode path, boolean namespaced, boolean named) {
        ArrayNode parameters = path.putArray("parameters");
        if (named) {
            parameter(parameters, "name", "path", "name of the object").put("required", true);
        }
        if (namespaced) {
            parameter(parameters, "namespace", "path", "object name and auth scope, such as for teams and projects").put("required", true);
        }
        parameter(parameters, "pretty", "query", "If 'true', then the output is pretty printed.");
    }

    private static ObjectNode parameter(ArrayNode parameters, String name, String in, String description) {
        ObjectNode parameter = parameters.addObject();
        parameter.put("name", name).put("in", in).put("description", description);
        parameter.putObject("schema").put("type", "string").put("uniqueItems", true);
        return parameter;
    }

    private ObjectNode operation(ResourceType type, String action, String id, String description, String request, String response) {
        ObjectNode op = NODES.objectNode();
        op.put("description", description).put("operationId", id);
        op.putArray("tags").add(type.group().isEmpty() ? "core_" + type.version() : type.group().replace('.', '_') + "_" + type.version());
        ArrayNode parameters = op.putArray("parameters");
        switch (action) {
            case "post", "put", "patch" -> {
                parameter(parameters, "dryRun", "query", "When present, indicates that modifications should not be persisted.");
                parameter(parameters, "fieldManager", "query", "fieldManager is a name associated with the actor or entity that is making these changes.");
                parameter(parameters, "fieldValidation", "query", "fieldValidation instructs the server on how to handle objects in the "
                        + "request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.");
                if (action.equals("patch")) {
                    parameter(parameters, "force", "query", "Force is going to \"force\" Apply requests.");
                }
            }
            case "list", "deletecollection" -> {
                for (String name : List.of("labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "timeoutSeconds", "watch")) {
                    parameter(parameters, name, "query", name);
                }
            }
            case "delete" -> {
                parameter(parameters, "dryRun", "query", "When present, indicates that modifications should not be persisted.");
                parameter(parameters, "gracePeriodSeconds", "query", "The duration in seconds before the object should be deleted.");
                parameter(parameters, "propagationPolicy", "query", "Whether and how garbage collection will be performed.");
            }
            default -> {
            }
        }
        if (request != null) {
            ObjectNode content = op.putObject("requestBody").putObject("content");
            if (request.equals("patch")) {
                for (String mediaType : List.of("application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
                        "application/strategic-merge-patch+json")) {
                    content.putObject(mediaType).putObject("schema").put("$ref", "#/components/schemas/" + META + "Patch");
                }
                schemas.computeIfAbsent(META + "Patch", n -> {
                    ObjectNode patch = NODES.objectNode();
                    patch.put("description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.")
                            .put("type", "object");
                    return patch;
                });
            } else {
                op.with("requestBody").put("required", true);
                content.putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + request);
            }
        }
        ObjectNode responses = op.putObject("responses");
        for (String code : action.equals("post") ? List.of("200", "201", "202") : List.of("200")) {
            ObjectNode ok = responses.putObject(code);
            ok.put("description", code.equals("201") ? "Created" : code.equals("202") ? "Accepted" : "OK");
            ObjectNode content = ok.putObject("content");
            for (String mediaType : List.of("application/json", "application/yaml")) {
                content.putObject(mediaType).putObject("schema").put("$ref", "#/components/schemas/" + response);
            }
        }
        responses.putObject("401").put("description", "Unauthorized");
        op.put("x-kubernetes-action", action);
        op.putObject("x-kubernetes-group-version-kind").put("group", type.group()).put("kind", type.kind()).put("version", type.version());
        return op;
    }

    /** Kubernetes' name of the schema of a fabric8 class. */
    static String schemaName(Class<?> type) {
        String simple = type.getSimpleName();
        if (simple.equals("IntOrString")) {
            return INT_OR_STRING;
        }
        if (simple.equals("Quantity")) {
            return QUANTITY;
        }
        String pkg = type.getPackageName();
        if (pkg.equals(FABRIC8)) {
            return (META_TYPES.contains(simple) ? META : "io.k8s.api.core.v1.") + simple;
        }
        String rest = pkg.startsWith(FABRIC8 + ".") ? pkg.substring(FABRIC8.length() + 1) : pkg;
        if (!rest.matches(".*\\.v\\d+((alpha|beta)\\d+)?")) {
            rest = rest + ".v1";
        }
        return "io.k8s.api." + rest + "." + simple;
    }

    /** The name of a class's schema, generating it (and what it references) on first use. */
    private String ref(Class<?> type) {
        String name = schemaName(type);
        if (schemas.containsKey(name)) {
            return name;
        }
        ObjectNode schema = NODES.objectNode();
        schemas.put(name, schema);
        schema.put("description", "");
        switch (name) {
            case INT_OR_STRING, QUANTITY -> {
                schema.put("x-kubernetes-int-or-string", true);
                schema.put("format", name.equals(QUANTITY) ? "quantity" : "int-or-string");
                schema.putArray("anyOf").add(NODES.objectNode().put("type", "integer")).add(NODES.objectNode().put("type", "string"));
                return name;
            }
            case META + "MicroTime", META + "Time" -> {
                schema.put("type", "string").put("format", "date-time");
                return name;
            }
            case META + "Duration" -> {
                schema.put("type", "string");
                return name;
            }
            case META + "FieldsV1" -> {
                schema.put("type", "object");
                return name;
            }
            default -> {
            }
        }
        schema.put("type", "object");
        ObjectNode properties = NODES.objectNode();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                if (Modifier.isStatic(field.getModifiers()) || property == null || field.isAnnotationPresent(JsonIgnore.class)) {
                    continue;
                }
                String json = property.value().isEmpty() ? field.getName() : property.value();
                properties.set(json, property(field.getGenericType()));
            }
        }
        if (!properties.isEmpty()) {
            ObjectNode sorted = schema.putObject("properties");
            new TreeMap<String, com.fasterxml.jackson.databind.JsonNode>(toMap(properties)).forEach(sorted::set);
        }
        return name;
    }

    private static Map<String, com.fasterxml.jackson.databind.JsonNode> toMap(ObjectNode node) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> map = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue()));
        return map;
    }

    private ObjectNode property(Type type) {
        ObjectNode schema = NODES.objectNode();
        schema.put("description", "");
        if (type instanceof ParameterizedType parameterized) {
            Class<?> raw = (Class<?>) parameterized.getRawType();
            Type[] arguments = parameterized.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw) || Set.class.isAssignableFrom(raw)) {
                schema.put("type", "array").set("items", itemSchema(arguments[0]));
                return schema;
            }
            if (Map.class.isAssignableFrom(raw)) {
                schema.put("type", "object").set("additionalProperties", itemSchema(arguments[1]));
                return schema;
            }
            type = raw;
        }
        if (!(type instanceof Class<?> c)) {
            return schema.put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
        }
        if (c == String.class || c.isEnum()) {
            return schema.put("type", "string");
        }
        if (c == Integer.class || c == int.class || c == Short.class) {
            return schema.put("type", "integer").put("format", "int32");
        }
        if (c == Long.class || c == long.class) {
            return schema.put("type", "integer").put("format", "int64");
        }
        if (c == Boolean.class || c == boolean.class) {
            return schema.put("type", "boolean");
        }
        if (c == Double.class || c == double.class || c == Float.class || c == float.class) {
            return schema.put("type", "number").put("format", "double");
        }
        if (c == byte[].class) {
            return schema.put("type", "string").put("format", "byte");
        }
        if (c.getPackageName().startsWith(FABRIC8) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())
                && !c.getSimpleName().equals("AnyType") && !c.getSimpleName().equals("GenericKubernetesResource")) {
            return NODES.objectNode().put("$ref", "#/components/schemas/" + ref(c));
        }
        return schema.put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
    }

    private com.fasterxml.jackson.databind.JsonNode itemSchema(Type type) {
        ObjectNode schema = property(type);
        schema.remove("description");
        return schema;
    }
}
