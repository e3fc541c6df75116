package io.kubundle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
    /** What the test's registry serves: manifest and blobs by digest. */
    final Map<String, byte[]> content = new ConcurrentHashMap<>();
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
        assertEquals(0, run("image", "list"));
        assertEquals(1, run("image", "rm", "nope"));
        assertEquals("kubundle: no such image: nope", errLine());
        assertFalse(Files.exists(dir.resolve("data")), "looking made no data dir");
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

    @Test
    void pullsWithATokenFromTheRegistrysTokenServer() throws Exception {
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String host = "127.0.0.1:" + registry.getAddress().getPort();
        List<String> asked = new CopyOnWriteArrayList<>();
        registry.createContext("/token", exchange -> {
            asked.add("token " + exchange.getRequestURI().getRawQuery());
            boolean user = ("Basic " + Base64.getEncoder().encodeToString("user:secret".getBytes(StandardCharsets.UTF_8)))
                    .equals(exchange.getRequestHeaders().getFirst("Authorization"));
            reply(exchange, user ? 200 : 401, user ? "{\"token\":\"t0k3n\"}" : "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
        });
        registry.createContext("/v2/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            asked.add(path);
            if (!"Bearer t0k3n".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate",
                        "Bearer realm=\"http://" + host + "/token\",service=\"test-registry\",scope=\"repository:test/hello:pull\"");
                reply(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }
            String key = path.substring(path.lastIndexOf('/') + 1);
            byte[] body = content.get(key.equals("1.0") ? manifestDigest : key);
            if (body == null) {
                reply(exchange, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
                return;
            }
            if (path.contains("/manifests/")) {
                exchange.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        registry.start();
        try {
            assertEquals(1, run("image", "pull", host + "/test/hello:1.0", "--creds", "user:wrong"));
            assertTrue(errLine().startsWith("kubundle: pulling " + host + "/test/hello:1.0: unauthorized: bad credentials"), err.toString());
            assertEquals(1, run("image", "pull", host + "/test/hello:2.0", "--creds", "user:secret"));
            assertTrue(errLine().startsWith("kubundle: pulling " + host + "/test/hello:2.0: manifest unknown"), err.toString());

            asked.clear();
            assertEquals(0, run("image", "pull", host + "/test/hello:1.0", "--creds", "user:secret"));
            assertEquals(List.of("pulled " + host + "/test/hello:1.0 (" + manifestDigest + ")"), outLines());
            assertEquals(List.of("/v2/test/hello/manifests/1.0", "token scope=repository%3Atest%2Fhello%3Apull&service=test-registry",
                    "/v2/test/hello/manifests/1.0"), asked.subList(0, 3));
            assertEquals(0, run("image", "list"));
            assertTrue(outLines().get(1).startsWith(host + "/test/hello   1.0   " + manifestDigest.substring(7, 20)), out.toString());
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void pullingFromNowhereFailsOnOneLineAndBadCredsAreAUsageError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertEquals(1, run("image", "pull", "localhost:" + port + "/a/b:1"));
        assertEquals("kubundle: pulling localhost:" + port + "/a/b:1: cannot reach the registry at localhost:" + port
                + ": connection refused", errLine());
        assertEquals(2, run("image", "pull", "busybox", "--creds", "nopassword"));
        assertEquals("kubundle: --creds takes USER:PASSWORD (see 'kubundle image pull --help')", errLine());
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
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

    private String blob(Path blobs, byte[] bytes) throws IOException, NoSuchAlgorithmException {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Files.write(blobs.resolve(hex), bytes);
        content.put("sha256:" + hex, bytes);
        return "sha256:" + hex;
    }

    private byte[] tar(Path from) throws IOException, InterruptedException {
        Path file = Files.createTempFile(dir, "tar", ".tar");
        Process p = new ProcessBuilder("tar", "-cf", file.toString(), "-C", from.toString(), ".").inheritIO().start();
        assertEquals(0, p.waitFor());
        return Files.readAllBytes(file);
    }
}
