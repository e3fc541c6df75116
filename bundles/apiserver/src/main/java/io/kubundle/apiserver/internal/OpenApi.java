package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI v3 documents ({@code /openapi/v3} and one per group version) and the v2 document
 * ({@code /openapi/v2}, JSON only), generated at build time from fabric8's model classes
 * ({@code OpenApiGenerator} in the tests) into {@code openapi/} of this bundle, and read on the
 * first request only.
 */
final class OpenApi {
    private static final String DIR = "openapi/v3/";
    /** The v2 (swagger) document, every group version in one. */
    static final String V2 = "openapi/v2/swagger.json";
    /** The gnostic protobuf form of v2, which kubectl asks for; not served (406). */
    static final String V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

    /** Group version path ({@code apis/apps/v1}) to its document; null until first used. */
    private volatile Map<String, byte[]> documents;
    private volatile byte[] root;
    /** Group version path to its parsed schemas, for field validation. */
    private final Map<String, JsonNode> schemas = new ConcurrentHashMap<>();

    /** The resource file of a group version path: {@code apis/apps/v1} is {@code apis__apps__v1.json}. */
    static String fileName(String groupVersionPath) {
        return groupVersionPath.replace("/", "__") + ".json";
    }

    private volatile byte[] v2;

    /** The {@code /openapi/v2} document, or null if the bundle has none. */
    byte[] v2() {
        if (v2 == null) {
            byte[] document = read(V2);
            v2 = document == null ? new byte[0] : document;
        }
        return v2.length == 0 ? null : v2;
    }

    /** The {@code /openapi/v3} discovery document. */
    byte[] root() {
        load();
        return root;
    }

    /** The document of a group version path such as {@code api/v1}, or null if none is served. */
    byte[] document(String groupVersionPath) {
        load();
        return documents.get(groupVersionPath);
    }

    private void load() {
        if (documents != null) {
            return;
        }
        synchronized (this) {
            if (documents != null) {
                return;
            }
            Map<String, byte[]> loaded = new LinkedHashMap<>();
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode rootNode = mapper.createObjectNode();
            ObjectNode paths = rootNode.putObject("paths");
            byte[] index = read(DIR + "index.txt");
            if (index != null) {
                for (String path : new String(index, StandardCharsets.UTF_8).split("\n")) {
                    path = path.strip();
                    byte[] document = path.isEmpty() ? null : read(DIR + fileName(path));
                    if (document != null) {
                        loaded.put(path, document);
                        paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash(document));
                    }
                }
            }
            try {
                root = mapper.writeValueAsBytes(rootNode);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            documents = loaded;
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = OpenApi.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(byte[] document) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(document));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The {@code fieldValidation} check of a request body against its type's schema: {@code Strict}
     * fails with 400 listing the fields the schema lacks, as Kubernetes' strict decoding does;
     * {@code Warn} returns them as warnings ({@code unknown field "spec.foo"}); other directives
     * (and no directive) check nothing, as do types without a document. For a patch, {@code before}
     * is the object it patched: fields already unknown there are not the request's doing.
     */
    List<String> checkFields(ResourceType type, JsonNode body, JsonNode before, String directive) throws ApiException {
        if (!"Strict".equals(directive) && !"Warn".equals(directive)) {
            return List.of();
        }
        List<String> unknown = unknownFields(type, body);
        if (before != null && !unknown.isEmpty()) {
            unknown.removeAll(unknownFields(type, before));
        }
        List<String> messages = unknown.stream().map(field -> "unknown field \"" + field + "\"").toList();
        if (messages.isEmpty() || directive.equals("Warn")) {
            return messages;
        }
        throw ApiException.badRequest("strict decoding error: " + String.join(", ", messages));
    }

    /** The paths ({@code spec.template.spec.containers[0].foo}) of the fields of {@code body} its type's schema lacks. */
    List<String> unknownFields(ResourceType type, JsonNode body) {
        String path = type.group().isEmpty() ? "api/" + type.version() : "apis/" + type.apiVersion();
        List<String> unknown = new ArrayList<>();
        JsonNode all = schemas.computeIfAbsent(path, p -> {
            byte[] document = document(p);
            try {
                return document == null ? new ObjectMapper().createObjectNode()
                        : new ObjectMapper().readTree(document).path("components").path("schemas");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext();) {
            JsonNode schema = it.next().getValue();
            for (JsonNode gvk : schema.path("x-kubernetes-group-version-kind")) {
                if (gvk.path("kind").asText().equals(type.kind()) && gvk.path("group").asText().equals(type.group())) {
                    walk(all, schema, body, "", unknown);
                    return unknown;
                }
            }
        }
        return unknown;
    }

    private static void walk(JsonNode all, JsonNode schema, JsonNode value, String path, List<String> unknown) {
        for (int depth = 0; schema.has("$ref") && depth < 10; depth++) {
            String ref = schema.path("$ref").asText();
            schema = all.path(ref.substring(ref.lastIndexOf('/') + 1));
        }
        if (value == null || value.isNull() || schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            return;
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                walk(all, schema.get("items"), value.get(i), path + "[" + i + "]", unknown);
            }
        } else if (value.isObject() && schema.has("properties")) {
            JsonNode properties = schema.get("properties");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (properties.has(field.getKey())) {
                    walk(all, properties.get(field.getKey()), field.getValue(), fieldPath, unknown);
                } else {
                    unknown.add(fieldPath);
                }
            }
        } else if (value.isObject() && schema.path("additionalProperties").isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                walk(all, schema.get("additionalProperties"), field.getValue(), path + "." + field.getKey(), unknown);
            }
        }
    }
}
