package io.kubundle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class ImageCommandTest {
    @TempDir
    Path dir;
    Path archive;
    String manifestDigest;
    long size;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    /** An OCI archive of one image, hello:1.0, made with tar(1) as any tool would. */
    @BeforeEach
    void writeArchive() throws Exception {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Files.writeString(rootfs.resolve("hello.txt"), "hello");
        byte[] layer = tar(rootfs);
        Path layout = Files.createDirectories(dir.resolve("layout/blobs/sha256"));
        String layerDigest = blob(layout, layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"cat\",\"/hello.txt\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layerDigest + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = blob(layout, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        manifestDigest = blob(layout, manifest);
        size = layer.length + config.length + manifest.length;
        Files.writeString(dir.resolve("layout/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(dir.resolve("layout/index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"hello:1.0\"}}]}");
        archive = dir.resolve("hello.tar");
        Files.write(archive, tar(dir.resolve("layout")));
    }

    @Test
    void importListAndRemove() throws Exception {
        assertEquals(0, run("image", "import", archive.toString()));
        assertEquals(List.of("imported docker.io/library/hello:1.0"), outLines());

        assertEquals(0, run("image", "list"));
        assertEquals(List.of("IMAGE                     TAG   IMAGE ID        SIZE",
                "docker.io/library/hello   1.0   " + manifestDigest.substring(7, 20) + "   " + kB(size)), outLines());

        assertEquals(0, run("image", "list", "-o", "json"));
        JsonNode image = new ObjectMapper().readTree(out.toString()).path("images").get(0);
        assertEquals(manifestDigest, image.path("id").asText());
        assertEquals("docker.io/library/hello:1.0", image.path("repoTags").get(0).asText());
        assertEquals("docker.io/library/hello@" + manifestDigest, image.path("repoDigests").get(0).asText());
        assertEquals(size, image.path("size").asLong());

        assertEquals(0, run("image", "rm", "hello:1.0"));
        assertEquals(List.of("Deleted: hello:1.0"), outLines());
        assertEquals(0, run("image", "list"));
        assertEquals(List.of("IMAGE   TAG   IMAGE ID   SIZE"), outLines());
        assertEquals("", err.toString());
    }

    @Test
    void removingWhatIsNotThereFailsAndAnInvalidReferenceIsAUsageError() {
        assertEquals(1, run("image", "rm", "nope"));
        assertEquals("kubundle: no such image: nope", errLine());
        assertEquals(2, run("image", "rm", "Not/Valid"));
        assertTrue(errLine().startsWith("kubundle: repository name must be lowercase"), err.toString());
        assertEquals(2, run("image"));
        assertTrue(errLine().startsWith("kubundle: Missing required subcommand"), err.toString());
    }

    @Test
    void importingAMissingOrBrokenFileFailsOnOneLine() throws IOException {
        Path missing = dir.resolve("missing.tar");
        assertEquals(1, run("image", "import", missing.toString()));
        assertEquals("kubundle: no such file: " + missing, errLine());
        Path notAnImage = Files.writeString(dir.resolve("text.tar"), "not a tar");
        assertEquals(1, run("image", "import", notAnImage.toString()));
        assertTrue(errLine().startsWith("kubundle: "));
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dir.resolve("data").toString();
        return commandLine.execute(args.length == 1 ? args : all);
    }

    /** A size between 10 and 100 kB as crictl writes it: 10.9kB. */
    private static String kB(long bytes) {
        assertTrue(bytes >= 10_000 && bytes < 100_000, "size " + bytes);
        return java.math.BigDecimal.valueOf(bytes).movePointLeft(3).round(new java.math.MathContext(3)).stripTrailingZeros()
                .toPlainString() + "kB";
    }

    private List<String> outLines() {
        return out.toString().lines().toList();
    }

    private String errLine() {
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), "stderr: " + err);
        return lines.get(0);
    }

    private static String blob(Path blobs, byte[] content) throws IOException, NoSuchAlgorithmException {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Files.write(blobs.resolve(hex), content);
        return "sha256:" + hex;
    }

    private byte[] tar(Path from) throws IOException, InterruptedException {
        Path file = Files.createTempFile(dir, "tar", ".tar");
        Process p = new ProcessBuilder("tar", "-cf", file.toString(), "-C", from.toString(), ".").inheritIO().start();
        assertEquals(0, p.waitFor());
        return Files.readAllBytes(file);
    }
}
