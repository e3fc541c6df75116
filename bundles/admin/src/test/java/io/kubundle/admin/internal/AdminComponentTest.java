package io.kubundle.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The component as DS would run it, driven over HTTP the way the CLI and the launcher do. */
final class AdminComponentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;
    private EmbeddedFramework felix;
    private AdminComponent component;
    private final HttpClient http = HttpClient.newHttpClient();
    private String url;
    private String token;

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        felix = EmbeddedFramework.start(storage, Map.of(AdminComponent.DATA_DIR_PROPERTY, dataDir.toString()));
        component = new AdminComponent(felix.context, felix.scr, config("127.0.0.1", 0));
        url = Files.readString(dataDir.resolve("admin.url")).strip();
        token = Files.readString(dataDir.resolve("admin.token")).strip();
    }

    @AfterEach
    void stop() throws Exception {
        if (component != null) {
            component.deactivate();
        }
        felix.close();
    }

    @Test
    void publishesUrlAndTokenAndRemovesThemOnDeactivate() throws Exception {
        assertTrue(url.matches("http://127\\.0\\.0\\.1:\\d+"), url);
        assertTrue(token.matches("[0-9a-f]{64}"), token);
        assertEquals(PosixFilePermissions.fromString("rw-------"),
                Files.getPosixFilePermissions(dataDir.resolve("admin.token")));
        try (var leftovers = Files.list(dataDir)) {
            assertEquals(2, leftovers.count());
        }
        component.deactivate();
        component = null;
        assertFalse(Files.exists(dataDir.resolve("admin.url")));
        assertFalse(Files.exists(dataDir.resolve("admin.token")));
    }

    @Test
    void leavesFilesOfAnotherProcessAlone() throws Exception {
        Files.writeString(dataDir.resolve("admin.token"), "someone else's");
        component.deactivate();
        component = null;
        assertEquals("someone else's", Files.readString(dataDir.resolve("admin.token")));
        assertFalse(Files.exists(dataDir.resolve("admin.url")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void registersTheHealthSupplier() throws Exception {
        Collection<ServiceReference<Supplier>> references =
                felix.context.getServiceReferences(Supplier.class, "(kubundle.health=true)");
        assertEquals(1, references.size());
        Supplier<Map<String, Object>> supplier = felix.context.getService(references.iterator().next());
        assertEquals("ok", supplier.get().get("status"));
        component.deactivate();
        component = null;
        assertTrue(felix.context.getServiceReferences(Supplier.class, "(kubundle.health=true)").isEmpty());
    }

    @Test
    void everyRequestNeedsTheToken() throws Exception {
        for (String authorization : new String[] {null, "Bearer wrong", token, "Basic " + token}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/health"));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, response.statusCode());
            assertEquals("{\"error\":\"missing or wrong admin token\"}", response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
        }
        assertEquals(401, send("GET", "/no/such/path", null, "Bearer nope").statusCode());
    }

    @Test
    void health() throws Exception {
        HttpResponse<String> response = send("GET", "/health", null);
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
        Map<?, ?> report = JSON.readValue(response.body(), Map.class);
        assertEquals("ok", report.get("status"));
        assertEquals(List.of(), report.get("problems"));

        felix.context.installBundle("test:needy", new java.io.ByteArrayInputStream(
                TestJars.bundle("test.needy", "1").component("needy", null, "test.api.Clock").build())).start();
        response = send("GET", "/health", null);
        assertEquals(503, response.statusCode());
        assertEquals("degraded", JSON.readValue(response.body(), Map.class).get("status"));
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        HttpResponse<String> missing = send("GET", "/nope", null);
        assertEquals(404, missing.statusCode());
        assertEquals(Map.of("error", "no such endpoint: /nope"), JSON.readValue(missing.body(), Map.class));

        HttpResponse<String> wrong = send("DELETE", "/health", null);
        assertEquals(405, wrong.statusCode());
        assertEquals("GET", wrong.headers().firstValue("Allow").orElse(null));
        assertNotNull(JSON.readValue(wrong.body(), Map.class).get("error"));
        assertEquals("GET, POST", send("PUT", "/bundles", new byte[0]).headers().firstValue("Allow").orElse(null));
        assertEquals("PUT, DELETE", send("GET", "/bundles/1", null).headers().firstValue("Allow").orElse(null));
        assertEquals("POST", send("GET", "/bundles/1/swap", null).headers().firstValue("Allow").orElse(null));
    }

    @Test
    void bundleLifecycleOverHttp() throws Exception {
        HttpResponse<String> empty = send("POST", "/bundles", new byte[0]);
        assertEquals(400, empty.statusCode());
        assertEquals(Map.of("error", "no bundle in the request body"), JSON.readValue(empty.body(), Map.class));

        byte[] v1 = BundleOperationsTest.greeter("1.0.0");
        HttpResponse<String> installed = send("POST", "/bundles", v1);
        assertEquals(201, installed.statusCode());
        Map<?, ?> bundle = JSON.readValue(installed.body(), Map.class);
        assertEquals("ACTIVE", bundle.get("state"));
        assertEquals(409, send("POST", "/bundles", v1).statusCode());

        Map<?, ?> list = JSON.readValue(send("GET", "/bundles", null).body(), Map.class);
        List<?> bundles = (List<?>) list.get("bundles");
        assertEquals(0, ((Map<?, ?>) bundles.get(0)).get("id"));
        assertTrue(bundles.stream().anyMatch(b -> "test.greeter".equals(((Map<?, ?>) b).get("symbolicName"))));

        HttpResponse<String> updated = send("PUT", "/bundles/test.greeter", BundleOperationsTest.greeter("1.5.0"));
        assertEquals(200, updated.statusCode());
        assertEquals("1.5.0", JSON.readValue(updated.body(), Map.class).get("version"));

        // the name is URL-decoded
        HttpResponse<String> swapped = send("POST", "/bundles/test.greeter%3A1.5.0/swap",
                BundleOperationsTest.greeter("2.0.0"));
        assertEquals(200, swapped.statusCode(), swapped.body());
        Map<?, ?> swap = JSON.readValue(swapped.body(), Map.class);
        assertEquals(0.0, swap.get("gapMillis"));
        assertEquals(Map.of("test.api.Greeter", 0.0), swap.get("interfaces"));

        HttpResponse<String> removed = send("DELETE", "/bundles/test.greeter", null);
        assertEquals(200, removed.statusCode());
        assertEquals("2.0.0", ((Map<?, ?>) JSON.readValue(removed.body(), Map.class).get("uninstalled")).get("version"));
        assertEquals(404, send("DELETE", "/bundles/test.greeter", null).statusCode());
        HttpResponse<String> system = send("DELETE", "/bundles/0", null);
        assertEquals(409, system.statusCode());
    }

    private HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        return send(method, path, body, "Bearer " + token);
    }

    private HttpResponse<String> send(String method, String path, byte[] body, String authorization) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path))
                .header("Authorization", authorization)
                .header("Content-Type", "application/java-archive")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static AdminConfig config(String host, int port) {
        return new AdminConfig() {
            @Override
            public String host() {
                return host;
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return AdminConfig.class;
            }
        };
    }

    @Test
    void pathSegmentsAreDecodedOneByOne() throws Exception {
        assertEquals(List.of("bundles", "a.b:1.0.0", "swap"), AdminServer.segments("/bundles/a.b%3A1.0.0/swap"));
        assertEquals(List.of("bundles", "a+b"), AdminServer.segments("/bundles/a+b/"));
        assertEquals(List.of(), AdminServer.segments("/"));
    }
}
