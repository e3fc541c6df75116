package io.kubundle.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Docker image manifest of schema 1 ({@code application/vnd.docker.distribution.manifest.v1+prettyjws}),
 * read to become what the store keeps: an OCI image config and its layers.
 *
 * <p>{@code fsLayers} and {@code history} list the layers newest first, pairwise; each
 * {@code history[i].v1Compatibility} is a JSON document in a string, and the newest one holds the
 * image's config. A layer marked {@code "throwaway": true} is empty (an {@code ENV}, a {@code CMD})
 * and is only a history entry. The JWS signatures are not verified (containerd does not either):
 * content is trusted by its digests, as for every other pull.
 */
final class Schema1 {
    /** The fields of a v1 {@code config} that an OCI image config has, under the same names. */
    private static final List<String> CONFIG_FIELDS = List.of("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
            "WorkingDir", "Labels", "StopSignal");

    /** A layer: its blob (a gzipped tar), its v1 history entry, and whether it is empty. */
    record Layer(String blobSum, JsonNode v1, boolean throwaway) {
    }

    private final String architecture;
    /** Lowest first. */
    private final List<Layer> layers;

    private Schema1(String architecture, List<Layer> layers) {
        this.architecture = architecture;
        this.layers = List.copyOf(layers);
    }

    /**
     * Reads a schema 1 manifest.
     *
     * @param what names it in errors ({@code schema 1 manifest sha256:...})
     * @throws IOException saying what is wrong: not JSON, not schemaVersion 1, no layers, fsLayers
     *         and history of different lengths, a bad blobSum or v1Compatibility
     */
    static Schema1 parse(byte[] bytes, String what) throws IOException {
        JsonNode node = Json.read(payload(bytes, what), what);
        if (!node.isObject() || !node.path("schemaVersion").isInt() || node.path("schemaVersion").asInt() != 1) {
            throw new IOException(what + " is not schemaVersion 1");
        }
        JsonNode fsLayers = node.path("fsLayers");
        JsonNode history = node.path("history");
        if (!fsLayers.isArray() || fsLayers.isEmpty()) {
            throw new IOException(what + " has no fsLayers");
        }
        if (!history.isArray() || history.size() != fsLayers.size()) {
            throw new IOException(what + " lists " + fsLayers.size() + " fsLayers but " + (history.isArray() ? history.size() : 0)
                    + " history entries");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = fsLayers.size() - 1; i >= 0; i--) {
            String blobSum = Digests.check(Json.text(fsLayers.get(i), "blobSum", what + " fsLayers[" + i + "]"));
            String v1Text = Json.text(history.get(i), "v1Compatibility", what + " history[" + i + "]");
            JsonNode v1 = Json.read(v1Text.getBytes(StandardCharsets.UTF_8), what + " history[" + i + "].v1Compatibility");
            if (!v1.isObject()) {
                throw new IOException(what + " history[" + i + "].v1Compatibility is not a JSON object");
            }
            layers.add(new Layer(blobSum, v1, v1.path("throwaway").asBoolean(false)));
        }
        return new Schema1(node.path("architecture").asText(""), layers);
    }

    /**
     * The JWS payload of a signed manifest, what its digest is of: the document without its
     * {@code signatures}, as libtrust cuts it out: the first {@code formatLength} bytes and then
     * {@code formatTail}, both from the first signature's protected header. An unsigned manifest
     * is its own payload.
     */
    static byte[] payload(byte[] bytes, String what) throws IOException {
        JsonNode signatures = Json.read(bytes, what).path("signatures");
        if (signatures.isMissingNode()) {
            return bytes;
        }
        JsonNode header;
        byte[] tail;
        try {
            header = Json.read(Base64.getUrlDecoder().decode(Json.text(signatures.path(0), "protected", what + " signature")),
                    what + " signature's protected header");
            tail = Base64.getUrlDecoder().decode(Json.text(header, "formatTail", what + " signature's protected header"));
        } catch (IllegalArgumentException e) {
            throw new IOException(what + " has a signature that is not base64url: " + e.getMessage(), e);
        }
        int length = header.path("formatLength").asInt(-1);
        if (length < 0 || length > bytes.length) {
            throw new IOException(what + " has a signature whose formatLength " + header.path("formatLength") + " is not within its "
                    + bytes.length + " bytes");
        }
        byte[] payload = Arrays.copyOf(bytes, length + tail.length);
        System.arraycopy(tail, 0, payload, length, tail.length);
        return payload;
    }

    /** The layers that have content, lowest first: every layer but the throwaway ones, repeats kept. */
    List<String> blobSums() {
        return layers.stream().filter(l -> !l.throwaway()).map(Layer::blobSum).toList();
    }

    /**
     * The OCI image config: the newest v1Compatibility's {@code config} fields, architecture, os
     * and created; one history entry per layer (throwaway ones {@code empty_layer}); and
     * {@code diffIds} as {@code rootfs.diff_ids}.
     *
     * @param diffIds the digests of the uncompressed {@link #blobSums()}, in that order
     */
    byte[] ociConfig(List<String> diffIds) throws IOException {
        if (diffIds.size() != blobSums().size()) {
            throw new IllegalArgumentException(diffIds.size() + " diff_ids for " + blobSums().size() + " layers");
        }
        JsonNode top = layers.get(layers.size() - 1).v1();
        ObjectNode c = Json.MAPPER.createObjectNode();
        copyText(top, "created", c);
        copyText(top, "author", c);
        c.put("architecture", top.path("architecture").asText(architecture.isEmpty() ? Json.ARCHITECTURE : architecture));
        c.put("os", top.path("os").asText(Json.OS));
        ObjectNode config = c.putObject("config");
        JsonNode v1Config = top.path("config");
        for (String field : CONFIG_FIELDS) {
            JsonNode value = v1Config.get(field);
            if (value != null && !value.isNull()) {
                config.set(field, value);
            }
        }
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        diffIds.forEach(rootfs.putArray("diff_ids")::add);
        ArrayNode history = c.putArray("history");
        for (Layer layer : layers) {
            ObjectNode h = history.addObject();
            copyText(layer.v1(), "created", h);
            List<String> cmd = new ArrayList<>();
            layer.v1().path("container_config").path("Cmd").forEach(a -> cmd.add(a.asText()));
            if (!cmd.isEmpty()) {
                h.put("created_by", String.join(" ", cmd));
            }
            copyText(layer.v1(), "author", h);
            copyText(layer.v1(), "comment", h);
            if (layer.throwaway()) {
                h.put("empty_layer", true);
            }
        }
        return Json.MAPPER.writeValueAsBytes(c);
    }

    private static void copyText(JsonNode from, String field, ObjectNode to) {
        JsonNode value = from.get(field);
        if (value != null && value.isTextual() && !value.asText().isEmpty()) {
            to.put(field, value.asText());
        }
    }
}
