package io.kubundle.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The JSON documents of an OCI layout: descriptors, manifests, indexes. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String REF_NAME = "org.opencontainers.image.ref.name";
    /**
     * An index entry's annotation: the digest of what the registry served for the name when the
     * stored manifest is not that (an image index's platform manifest, the OCI manifest made of a
     * schema 1 manifest).
     */
    static final String REPO_DIGEST = "io.kubundle.image.repo-digest";
    /** The platform this node runs; of a multi-platform image, only its manifest is taken. */
    static final String OS = "linux";
    static final String ARCHITECTURE = "amd64";

    private Json() {
    }

    static JsonNode read(Path file) throws IOException {
        return read(Files.readAllBytes(file), file.getFileName().toString());
    }

    static JsonNode read(byte[] bytes, String what) throws IOException {
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new IOException(what + " is empty");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String text(JsonNode node, String field, String what) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IOException(what + " has no " + field);
        }
        return v.asText();
    }

    static Descriptor descriptor(JsonNode node, String defaultMediaType, String what) throws IOException {
        String digest = Digests.check(text(node, "digest", what));
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || size.asLong() < 0) {
            throw new IOException(what + " " + digest + " has no valid size");
        }
        JsonNode mt = node.get("mediaType");
        return new Descriptor(mt != null && mt.isTextual() ? mt.asText() : defaultMediaType, digest, size.asLong());
    }

    static ObjectNode descriptor(Descriptor d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("mediaType", d.mediaType());
        n.put("digest", d.digest());
        n.put("size", d.size());
        return n;
    }

    /** Reads an image manifest (OCI or Docker schema 2) whose bytes {@code manifest} describes. */
    static ImageManifest manifest(Descriptor manifest, byte[] bytes) throws IOException {
        String what = "manifest " + manifest.digest();
        JsonNode node = read(bytes, what);
        if (node.path("schemaVersion").asInt() != 2) {
            throw new IOException(what + " is not schemaVersion 2");
        }
        JsonNode config = node.get("config");
        if (config == null) {
            throw new IOException(what + " has no config");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode layer : node.path("layers")) {
            layers.add(descriptor(layer, MediaTypes.OCI_LAYER, what + " layer"));
        }
        return new ImageManifest(manifest, descriptor(config, MediaTypes.OCI_CONFIG, what + " config"), layers);
    }

    /** The {@code rootfs.diff_ids} of an image config: the digests of its layers uncompressed, lowest first. */
    static List<String> diffIds(byte[] config, String digest) throws IOException {
        JsonNode ids = read(config, "image config " + digest).path("rootfs").path("diff_ids");
        if (!ids.isArray()) {
            throw new IOException("image config " + digest + " has no rootfs.diff_ids");
        }
        List<String> result = new ArrayList<>();
        for (JsonNode id : ids) {
            result.add(Digests.check(id.asText()));
        }
        return result;
    }

    /** The linux/amd64 manifest an image index (or Docker manifest list) lists, or its only one. */
    static Descriptor platformManifest(JsonNode index, String what) throws IOException {
        JsonNode entries = index.path("manifests");
        for (JsonNode e : entries) {
            JsonNode platform = e.path("platform");
            if (OS.equals(platform.path("os").asText()) && ARCHITECTURE.equals(platform.path("architecture").asText())) {
                return descriptor(e, MediaTypes.OCI_MANIFEST, what + " entry");
            }
        }
        if (entries.size() == 1) {
            return descriptor(entries.get(0), MediaTypes.OCI_MANIFEST, what + " entry");
        }
        throw new IOException(what + " has no " + OS + "/" + ARCHITECTURE + " manifest");
    }

    /** The bytes of an OCI image manifest for {@code config} and {@code layers}. */
    static byte[] manifestBytes(Descriptor config, List<Descriptor> layers) throws IOException {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.set("config", descriptor(config));
        layers.forEach(l -> m.withArray("layers").add(descriptor(l)));
        return MAPPER.writeValueAsBytes(m);
    }
}
