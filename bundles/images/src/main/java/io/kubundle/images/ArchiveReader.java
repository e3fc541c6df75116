package io.kubundle.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads the images of an unpacked OCI archive or docker archive. Writes nothing to the store. */
final class ArchiveReader {
    static final String CONTAINERD_NAME = "io.containerd.image.name";
    private static final int MAX_INDEX_DEPTH = 4;
    /** Archive paths whose name carries the digest of their content. */
    private static final Pattern NAMED_BY_DIGEST = Pattern.compile("(?:.*/)?(?:blobs/sha256/([0-9a-f]{64})|([0-9a-f]{64})\\.json)");

    private ArchiveReader() {
    }

    static List<PendingImage> read(Staging s, Path tarball) throws IOException {
        if (s.has("oci-layout") && s.has("index.json")) {
            return oci(s);
        }
        if (s.has("manifest.json")) {
            return docker(s);
        }
        throw new IOException(tarball + " is neither an OCI archive (oci-layout, index.json) nor a docker archive (manifest.json)");
    }

    /** An OCI image layout: index.json names manifests (or indexes, of which linux/amd64 is taken). */
    static List<PendingImage> oci(Staging s) throws IOException {
        Json.text(Json.read(s.file("oci-layout")), "imageLayoutVersion", "oci-layout");
        List<PendingImage> images = new ArrayList<>();
        for (JsonNode entry : Json.read(s.file("index.json")).path("manifests")) {
            Descriptor d = platformManifest(s, Json.descriptor(entry, MediaTypes.OCI_MANIFEST, "index.json entry"));
            JsonNode annotations = entry.path("annotations");
            String name = annotations.hasNonNull(CONTAINERD_NAME) ? annotations.get(CONTAINERD_NAME).asText()
                    : annotations.hasNonNull(Json.REF_NAME) ? annotations.get(Json.REF_NAME).asText() : null;
            Path file = s.blob(d.digest());
            Digests.verify(file, d);
            ImageManifest manifest = Json.manifest(d, Files.readAllBytes(file));
            Map<Descriptor, Path> blobs = new LinkedHashMap<>();
            blobs.put(d, file);
            blobs.put(manifest.config(), s.blob(manifest.config().digest()));
            for (Descriptor layer : manifest.layers()) {
                blobs.put(layer, s.blob(layer.digest()));
            }
            images.add(new PendingImage(name == null ? List.of() : List.of(name), manifest, blobs));
        }
        if (images.isEmpty()) {
            throw new IOException("index.json lists no image");
        }
        return images;
    }

    private static Descriptor platformManifest(Staging s, Descriptor d) throws IOException {
        for (int depth = 0; MediaTypes.isIndex(d.mediaType()); depth++) {
            if (depth == MAX_INDEX_DEPTH) {
                throw new IOException("image indexes nested deeper than " + MAX_INDEX_DEPTH);
            }
            Path file = s.blob(d.digest());
            Digests.verify(file, d);
            d = Json.platformManifest(Json.read(file), "image index " + d.digest());
        }
        return d;
    }

    /**
     * A {@code docker save} archive: manifest.json lists, per image, a config file, its tags and
     * layer tars. The config and layers are hashed here; each layer's uncompressed digest must
     * match the config's {@code rootfs.diff_ids}, and a file named by a digest must hash to it.
     */
    static List<PendingImage> docker(Staging s) throws IOException {
        JsonNode list = Json.read(s.file("manifest.json"));
        if (!list.isArray() || list.isEmpty()) {
            throw new IOException("manifest.json lists no image");
        }
        List<PendingImage> images = new ArrayList<>();
        for (JsonNode entry : list) {
            String configName = Json.text(entry, "Config", "manifest.json entry");
            Path configFile = s.file(configName);
            Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, hashNamed(configName, configFile), Files.size(configFile));
            JsonNode diffIds = Json.read(configFile).path("rootfs").path("diff_ids");
            JsonNode layerNames = entry.path("Layers");
            if (diffIds.isArray() && diffIds.size() != layerNames.size()) {
                throw new IOException("image config " + configName + " lists " + diffIds.size() + " layers, manifest.json " + layerNames.size());
            }
            Map<Descriptor, Path> blobs = new LinkedHashMap<>();
            blobs.put(config, configFile);
            List<Descriptor> layers = new ArrayList<>();
            for (int i = 0; i < layerNames.size(); i++) {
                String layerName = layerNames.get(i).asText();
                Path layerFile = s.file(layerName);
                String digest = hashNamed(layerName, layerFile);
                boolean gzipped;
                String diffId;
                try (InputStream in = Staging.maybeGunzip(Files.newInputStream(layerFile))) {
                    gzipped = in instanceof GZIPInputStream;
                    diffId = gzipped ? Digests.of(in) : digest;
                }
                if (diffIds.isArray() && !diffId.equals(diffIds.get(i).asText())) {
                    throw new DigestMismatchException("layer " + layerName + " hashes to " + diffId + ", the image config says " + diffIds.get(i).asText());
                }
                Descriptor layer = new Descriptor(gzipped ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, digest, Files.size(layerFile));
                layers.add(layer);
                blobs.put(layer, layerFile);
            }
            byte[] manifestBytes = Json.manifestBytes(config, layers);
            Path manifestFile = Files.write(s.newFile(), manifestBytes);
            Descriptor manifest = new Descriptor(MediaTypes.OCI_MANIFEST, Digests.of(manifestBytes), manifestBytes.length);
            Map<Descriptor, Path> all = new LinkedHashMap<>();
            all.put(manifest, manifestFile);
            all.putAll(blobs);
            List<String> names = new ArrayList<>();
            entry.path("RepoTags").forEach(t -> names.add(t.asText()));
            images.add(new PendingImage(names, new ImageManifest(manifest, config, layers), all));
        }
        return images;
    }

    /** The file's digest, which must be the one in its name when its name carries one. */
    private static String hashNamed(String name, Path file) throws IOException {
        String digest = Digests.of(file);
        Matcher m = NAMED_BY_DIGEST.matcher(name);
        if (m.matches()) {
            String named = "sha256:" + (m.group(1) != null ? m.group(1) : m.group(2));
            if (!named.equals(digest)) {
                throw new DigestMismatchException(name + " hashes to " + digest);
            }
        }
        return digest;
    }
}
