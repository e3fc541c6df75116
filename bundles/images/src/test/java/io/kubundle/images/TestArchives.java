package io.kubundle.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds small OCI and docker archives, with real digests, for the tests. */
public final class TestArchives {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Prefix of an archive entry value that makes a symbolic link to the rest of the value. */
    static final String SYMLINK = "symlink:";

    private TestArchives() {
    }

    /**
     * An image to write: its name (or null), its layers (tar bytes, gzipped or not), and diff_ids
     * for its config (null: the layers' true ones).
     */
    public record Image(String name, List<byte[]> layers, List<String> diffIds) {
        public Image(String name, List<byte[]> layers) {
            this(name, layers, null);
        }

        public byte[] config() throws IOException {
            ObjectNode c = MAPPER.createObjectNode();
            c.put("architecture", "amd64");
            c.put("os", "linux");
            c.putObject("config").putArray("Cmd").add("/bin/sh");
            ObjectNode rootfs = c.putObject("rootfs");
            rootfs.put("type", "layers");
            ArrayNode ids = rootfs.putArray("diff_ids");
            if (diffIds != null) {
                diffIds.forEach(ids::add);
            } else {
                for (byte[] layer : layers) {
                    ids.add(sha256(uncompressed(layer)));
                }
            }
            return MAPPER.writeValueAsBytes(c);
        }

        public byte[] manifest() throws IOException {
            ObjectNode m = MAPPER.createObjectNode();
            m.put("schemaVersion", 2);
            m.put("mediaType", MediaTypes.OCI_MANIFEST);
            m.set("config", descriptor(MediaTypes.OCI_CONFIG, config()));
            ArrayNode ls = m.putArray("layers");
            for (byte[] layer : layers) {
                ls.add(descriptor(isGzip(layer) ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, layer));
            }
            return MAPPER.writeValueAsBytes(m);
        }
    }

    public static String sha256(byte[] bytes) {
        return Digests.of(bytes);
    }

    static String hex(byte[] bytes) {
        return sha256(bytes).substring("sha256:".length());
    }

    static ObjectNode descriptor(String mediaType, byte[] content) {
        ObjectNode d = MAPPER.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", sha256(content));
        d.put("size", content.length);
        return d;
    }

    /** A layer tar with the given files (path, content, path, content...). */
    public static byte[] layer(String... pathsAndContents) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            entries.put(pathsAndContents[i], pathsAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeTar(out, entries);
        return out.toByteArray();
    }

    public static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    static boolean isGzip(byte[] b) {
        return b.length > 1 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    static byte[] uncompressed(byte[] b) throws IOException {
        if (!isGzip(b)) {
            return b;
        }
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(b))) {
            return in.readAllBytes();
        }
    }

    /** The entries of an OCI archive holding {@code images}, in the order skopeo writes them. */
    public static Map<String, byte[]> ociEntries(Image... images) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        ObjectNode index = MAPPER.createObjectNode();
        index.put("schemaVersion", 2);
        ArrayNode manifests = index.putArray("manifests");
        for (Image image : images) {
            for (byte[] layer : image.layers()) {
                entries.put("blobs/sha256/" + hex(layer), layer);
            }
            entries.put("blobs/sha256/" + hex(image.config()), image.config());
            entries.put("blobs/sha256/" + hex(image.manifest()), image.manifest());
            ObjectNode d = descriptor(MediaTypes.OCI_MANIFEST, image.manifest());
            if (image.name() != null) {
                d.putObject("annotations").put("org.opencontainers.image.ref.name", image.name());
            }
            manifests.add(d);
        }
        entries.put("index.json", MAPPER.writeValueAsBytes(index));
        return entries;
    }

    /**
     * The entries of a {@code docker save} archive: {@code <config hex>.json}, one
     * {@code <n>/layer.tar} per layer (a layer already written becomes a symbolic link to the
     * first copy, as docker does), manifest.json last.
     */
    static Map<String, byte[]> dockerEntries(Image... images) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Map<String, String> written = new LinkedHashMap<>();
        ArrayNode manifest = MAPPER.createArrayNode();
        int n = 0;
        for (Image image : images) {
            ObjectNode m = manifest.addObject();
            String configName = hex(image.config()) + ".json";
            entries.put(configName, image.config());
            m.put("Config", configName);
            ArrayNode tags = m.putArray("RepoTags");
            if (image.name() != null) {
                tags.add(image.name());
            }
            ArrayNode layers = m.putArray("Layers");
            for (byte[] layer : image.layers()) {
                String dir = "layer" + n++;
                String first = written.putIfAbsent(sha256(layer), dir);
                entries.put(dir + "/layer.tar", first == null ? layer
                        : (SYMLINK + "../" + first + "/layer.tar").getBytes(StandardCharsets.UTF_8));
                layers.add(dir + "/layer.tar");
            }
        }
        entries.put("manifest.json", MAPPER.writeValueAsBytes(manifest));
        return entries;
    }

    public static Path writeTar(Path file, Map<String, byte[]> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writeTar(out, entries);
        }
        return file;
    }

    static void writeTar(OutputStream out, Map<String, byte[]> entries) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        List<String> dirs = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            String name = e.getKey();
            int slash = name.lastIndexOf('/');
            if (slash > 0 && !dirs.contains(name.substring(0, slash + 1))) {
                dirs.add(name.substring(0, slash + 1));
                tar.putArchiveEntry(new TarArchiveEntry(name.substring(0, slash + 1)));
                tar.closeArchiveEntry();
            }
            String value = new String(e.getValue(), StandardCharsets.ISO_8859_1);
            if (value.startsWith(SYMLINK)) {
                TarArchiveEntry link = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName(value.substring(SYMLINK.length()));
                tar.putArchiveEntry(link);
            } else {
                TarArchiveEntry file = new TarArchiveEntry(name);
                file.setSize(e.getValue().length);
                tar.putArchiveEntry(file);
                tar.write(e.getValue());
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
    }
}
