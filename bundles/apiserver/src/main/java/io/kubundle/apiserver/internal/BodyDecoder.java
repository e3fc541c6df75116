package io.kubundle.apiserver.internal;

import java.io.IOException;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Request bodies: JSON and YAML, with limits that refuse alias bombs and deep nesting fast.
 * (The size limit, 3 MiB, is enforced before the body is read.)
 */
final class BodyDecoder {
    static final int MAX_BODY_BYTES = 3 * 1024 * 1024;
    private static final int MAX_DEPTH = 100;

    private final ObjectMapper json;
    private final LoaderOptions yamlLimits;

    BodyDecoder() {
        StreamReadConstraints constraints = StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build();
        this.json = new ObjectMapper();
        json.getFactory().setStreamReadConstraints(constraints);
        // SnakeYAML itself, not Jackson's YAML parser: only its composer counts aliases, which is
        // what stops an alias bomb before it expands
        yamlLimits = new LoaderOptions();
        yamlLimits.setMaxAliasesForCollections(20);
        yamlLimits.setNestingDepthLimit(MAX_DEPTH);
        yamlLimits.setCodePointLimit(MAX_BODY_BYTES);
        yamlLimits.setAllowDuplicateKeys(false);
    }

    /** The body of a create, update or delete, by its Content-Type. */
    JsonNode decode(ApiRequest request) throws ApiException {
        String type = request.contentType();
        if (type.startsWith("application/vnd.kubernetes.protobuf")) {
            return ProtobufBodies.shared().decode(request.body());
        }
        return parse(request.body(), type.startsWith("application/yaml") || type.startsWith("application/x-yaml"));
    }

    /** The body of a patch: always JSON (its Content-Type names the patch kind). */
    JsonNode decodePatch(ApiRequest request) throws ApiException {
        if (request.contentType().startsWith("application/apply-patch+yaml")) {
            return parse(request.body(), true);
        }
        return parse(request.body(), false);
    }

    private JsonNode parse(byte[] body, boolean isYaml) throws ApiException {
        if (body.length == 0) {
            throw ApiException.badRequest("the request body is empty");
        }
        try {
            JsonNode node = isYaml ? json.valueToTree(new Yaml(new SafeConstructor(yamlLimits))
                    .load(new StringReader(new String(body, StandardCharsets.UTF_8)))) : json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("the request body is empty");
            }
            return node;
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            int newline = message.indexOf('\n');
            throw ApiException.badRequest("the request body is not valid " + (isYaml ? "YAML" : "JSON") + ": "
                    + (newline < 0 ? message : message.substring(0, newline)));
        }
    }
}
