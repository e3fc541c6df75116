package io.kubundle.client.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AdminClientTest {
    /** What the server saw of one request. */
    private record Seen(String method, String rawPath, String authorization, String contentType, byte[] body) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private URI url;
    private volatile int replyStatus = 200;
    private volatile String replyBody = "{\"ok\":true}";

    @TempDir
    Path dir;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestBody().readAllBytes()));
        byte[] body = replyBody.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(replyStatus, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private Path jar(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void listSendsTheBearerTokenAndReturnsTheJson() throws Exception {
        replyBody = "{\"bundles\":[{\"id\":1,\"symbolicName\":\"a\"}]}";
        JsonNode reply = AdminClient.forUrl(url, "s3cret").list();

        assertEquals("a", reply.path("bundles").path(0).path("symbolicName").asText());
        Seen request = seen.get(0);
        assertEquals("GET", request.method());
        assertEquals("/bundles", request.rawPath());
        assertEquals("Bearer s3cret", request.authorization());
    }

    @Test
    void noTokenSendsNoAuthorization() throws Exception {
        AdminClient.forUrl(url, null).list();
        assertNull(seen.get(0).authorization());
    }

    @Test
    void installPostsTheJarBytes() throws Exception {
        AdminClient.forUrl(url, "t").install(jar("plugin.jar", "JARBYTES"));

        Seen request = seen.get(0);
        assertEquals("POST", request.method());
        assertEquals("/bundles", request.rawPath());
        assertEquals("application/java-archive", request.contentType());
        assertArrayEquals("JARBYTES".getBytes(StandardCharsets.UTF_8), request.body());
    }

    @Test
    void updateUninstallAndSwapEncodeTheName() throws Exception {
        AdminClient client = AdminClient.forUrl(URI.create(url + "/"), "t");
        Path jar = jar("new.jar", "NEW");

        client.update("a b/c", jar);
        client.uninstall("a b/c");
        client.swap("old.bundle", jar);

        assertEquals("PUT /bundles/a%20b%2Fc", seen.get(0).method() + " " + seen.get(0).rawPath());
        assertArrayEquals("NEW".getBytes(StandardCharsets.UTF_8), seen.get(0).body());
        assertEquals("DELETE /bundles/a%20b%2Fc", seen.get(1).method() + " " + seen.get(1).rawPath());
        assertEquals("POST /bundles/old.bundle/swap", seen.get(2).method() + " " + seen.get(2).rawPath());
        assertEquals("application/java-archive", seen.get(2).contentType());
    }

    @Test
    void degradedHealthIsAnAnswer() throws Exception {
        replyStatus = 503;
        replyBody = "{\"status\":\"degraded\",\"problems\":[]}";

        assertEquals("degraded", AdminClient.forUrl(url, "t").health().path("status").asText());
        assertEquals("/health", seen.get(0).rawPath());
    }

    @Test
    void unavailableHealthWithAnErrorIsAnError() {
        replyStatus = 503;
        replyBody = "{\"error\":\"the admin endpoint is shutting down\"}";

        AdminException e = assertThrows(AdminException.class, () -> AdminClient.forUrl(url, "t").health());
        assertEquals("the admin endpoint is shutting down", e.getMessage());
        assertEquals(503, e.status());
    }

    @Test
    void unavailableIsAnErrorElsewhere() {
        replyStatus = 503;
        replyBody = "{\"error\":\"framework is stopping\"}";

        AdminException e = assertThrows(AdminException.class, () -> AdminClient.forUrl(url, "t").list());
        assertEquals("framework is stopping", e.getMessage());
        assertEquals(503, e.status());
    }

    @Test
    void errorStatusCarriesTheServersMessage() {
        replyStatus = 404;
        replyBody = "{\"error\":\"no bundle named x\"}";

        AdminException e = assertThrows(AdminException.class, () -> AdminClient.forUrl(url, "t").uninstall("x"));
        assertEquals("no bundle named x", e.getMessage());
        assertEquals(404, e.status());
    }

    @Test
    void errorWithoutJsonFallsBackToTheStatus() {
        replyStatus = 500;
        replyBody = "<html>oops</html>";

        AdminException e = assertThrows(AdminException.class, () -> AdminClient.forUrl(url, "t").list());
        assertEquals("HTTP 500", e.getMessage());
        assertEquals(500, e.status());
    }

    @Test
    void missingJarSendsNothing() {
        Path missing = dir.resolve("missing.jar");
        AdminClient client = AdminClient.forUrl(url, "t");

        AdminException install = assertThrows(AdminException.class, () -> client.install(missing));
        assertThrows(AdminException.class, () -> client.update("x", missing));
        assertThrows(AdminException.class, () -> client.swap("x", dir));

        assertEquals("no such file: " + missing, install.getMessage());
        assertEquals(0, install.status());
        assertTrue(seen.isEmpty(), "requests sent: " + seen);
    }

    @Test
    void refusedConnectionSaysTheProcessMayBeDown() {
        server.stop(0);

        AdminException e = assertThrows(AdminException.class, () -> AdminClient.forUrl(url, "t").list());
        assertEquals("cannot reach the admin endpoint at " + url + ": is the process running?", e.getMessage());
        assertEquals(0, e.status());
    }

    @Test
    void dataDirGivesTheUrlAndToken() throws Exception {
        Files.writeString(dir.resolve("admin.url"), url + "\n");
        Files.writeString(dir.resolve("admin.token"), "  tok\n");

        AdminClient.forDataDir(dir).list();

        assertEquals("Bearer tok", seen.get(0).authorization());
    }

    @Test
    void dataDirWithoutAProcess() {
        AdminException e = assertThrows(AdminException.class, () -> AdminClient.forDataDir(dir));
        assertEquals("no Kubundle process is running with data dir " + dir + " (no " + dir.resolve("admin.url") + ")",
                e.getMessage());
    }

    @Test
    void onlyHttpUrls() {
        assertThrows(IllegalArgumentException.class, () -> AdminClient.forUrl(URI.create("file:/tmp/x"), "t"));
    }
}
