package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.client.admin.AdminClient;
import io.kubundle.itests.support.BundleJars;

/** The plugin admin surface of a running {@code up}: bundles install/update/uninstall/swap and plugins/. */
class AdminIT {
    static final String SAMPLE = "io.kubundle.sample.greeter";
    static final String HOOK = "io.kubundle.api.admission.MutatingAdmission";

    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static Path dataDir;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        dataDir = dir.resolve("data");
        up = KubundleProcess.start(distribution, dataDir, "master");
    }

    @AfterAll
    static void stop() throws Exception {
        if (up != null) {
            up.close();
        }
    }

    private static Distribution.Result bundles(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("bundles"));
        all.addAll(List.of(args));
        all.addAll(List.of("--data-dir", dataDir.toString()));
        return distribution.kubundle(all.toArray(String[]::new));
    }

    /** What an admin would compare before and after: id, name, version and state of every bundle, and every service. */
    private static String snapshot() throws Exception {
        StringBuilder out = new StringBuilder();
        for (JsonNode bundle : AdminClient.forDataDir(dataDir).list().path("bundles")) {
            out.append(bundle.path("id")).append(' ').append(bundle.path("symbolicName").asText()).append(' ')
                    .append(bundle.path("version").asText()).append(' ').append(bundle.path("state").asText())
                    .append(' ').append(bundle.path("services")).append('\n');
        }
        return out.toString();
    }

    /** How many admission hooks the process has (the master's own, such as DefaultTolerationSeconds, included). */
    private static long hooks() throws Exception {
        String text = snapshot();
        return text.split(java.util.regex.Pattern.quote(HOOK), -1).length - 1;
    }

    private static JsonNode bundleNamed(String symbolicName) throws Exception {
        for (JsonNode bundle : AdminClient.forDataDir(dataDir).list().path("bundles")) {
            if (symbolicName.equals(bundle.path("symbolicName").asText())) {
                return bundle;
            }
        }
        return null;
    }

    private static void assertOneLineError(Distribution.Result result, int exitCode, String contains) {
        assertEquals(exitCode, result.exitCode(), result.out() + result.err());
        assertEquals(1, result.errLines().size(), result.err());
        assertTrue(result.err().startsWith("kubundle: "), result.err());
        assertTrue(result.err().contains(contains), result.err());
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() throws Exception {
        String before = snapshot();

        assertOneLineError(bundles("install", dir.resolve("missing.jar").toString()), 1, "no such file");
        Path notABundle = Files.writeString(dir.resolve("notes.jar"), "just text");
        assertOneLineError(bundles("install", notABundle.toString()), 1, "not an OSGi bundle");
        assertOneLineError(bundles("uninstall", "no.such.bundle"), 1, "no bundle named no.such.bundle");
        assertOneLineError(bundles("update", "no.such.bundle", Distribution.sampleJar().toString()), 1, "no bundle named");
        assertOneLineError(bundles("uninstall", "io.kubundle.admin"), 1, "cannot uninstall itself");
        assertOneLineError(bundles("update", "io.kubundle.admission", Distribution.sampleJar().toString()), 1, "not");
        assertOneLineError(bundles("swap", "no.such.bundle", Distribution.sampleJar().toString()), 1, "no bundle named");
        assertOneLineError(bundles("frobnicate"), 2, "frobnicate");

        // the endpoint itself: no token, garbage body
        String url = Files.readString(dataDir.resolve("admin.url")).trim();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(url + "/bundles")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noToken.statusCode());
        String token = Files.readString(dataDir.resolve("admin.token")).trim();
        HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(URI.create(url + "/bundles"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, garbage.statusCode());
        assertTrue(garbage.body().contains("\"error\""), garbage.body());

        assertEquals(before, snapshot(), "bad input changed the running system");
    }

    @Test
    void installSwapAndUninstallThroughTheCli() throws Exception {
        long hooksBefore = hooks();
        Distribution.Result installed = bundles("install", Distribution.sampleJar().toString());
        assertEquals(0, installed.exitCode(), installed.err());
        assertTrue(installed.out().startsWith("installed " + SAMPLE), installed.out());
        JsonNode v1 = bundleNamed(SAMPLE);
        assertEquals("ACTIVE", v1.path("state").asText());
        assertTrue(v1.path("services").toString().contains(HOOK), v1.toString());

        Path next = BundleJars.withVersion(Distribution.sampleJar(), "2.0.0", dir);
        Distribution.Result swapped = bundles("swap", SAMPLE, next.toString());
        assertEquals(0, swapped.exitCode(), swapped.err());
        assertTrue(swapped.out().matches("(?s)swapped " + SAMPLE + " \\S+ for " + SAMPLE + " 2\\.0\\.0: without a provider for [0-9.]+ ms\\s*"),
                swapped.out());
        JsonNode v2 = bundleNamed(SAMPLE);
        assertEquals("2.0.0", v2.path("version").asText());
        assertTrue(v2.path("services").toString().contains("sample-greeter"), v2.toString());
        assertEquals("ok", AdminClient.forDataDir(dataDir).health().path("status").asText());

        Distribution.Result listed = bundles("list");
        assertTrue(listed.out().contains("MutatingAdmission[sample-greeter]"), listed.out());

        Distribution.Result removed = bundles("uninstall", SAMPLE);
        assertEquals(0, removed.exitCode(), removed.err());
        assertEquals(null, bundleNamed(SAMPLE));
        assertEquals(hooksBefore, hooks(), "no hook of the sample left registered");
    }

    @Test
    void aJarInPluginsIsInstalledUpdatedAndUninstalled() throws Exception {
        long hooksBefore = hooks();
        Path plugins = distribution.home.resolve("plugins");
        Path target = plugins.resolve("sample-greeter.jar");
        Path staged = dir.resolve("staged.jar");

        Files.copy(Distribution.sampleJar(), staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        awaitSample("ACTIVE");

        Files.copy(BundleJars.withVersion(Distribution.sampleJar(), "2.0.0", dir), staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        // FileInstall updates the bundle, then starts it again: the new version shows before it is active
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline
                && !("2.0.0".equals(version()) && "ACTIVE".equals(bundleNamed(SAMPLE).path("state").asText()))) {
            Thread.sleep(50);
        }
        assertEquals("2.0.0", version());
        assertEquals("ACTIVE", bundleNamed(SAMPLE).path("state").asText());

        Files.delete(target);
        awaitSample(null);
        assertEquals(hooksBefore, hooks(), "no hook of the sample left registered");
    }

    @Test
    void anUnsatisfiedComponentIsReportedWithItsReason() throws Exception {
        Path waiting = BundleJars.bundle(dir, "waiting.jar", Map.of("Bundle-SymbolicName", "io.kubundle.itests.waiting",
                "Bundle-Version", "1.0.0", "Service-Component", "OSGI-INF/waiting.xml"), Map.of("OSGI-INF/waiting.xml", """
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="waiting-for-a-store">
                  <implementation class="io.kubundle.itests.waiting.Waiting"/>
                  <reference name="store" interface="io.kubundle.itests.waiting.Store" cardinality="1..1"/>
                </scr:component>
                """));
        assertEquals(0, bundles("install", waiting.toString()).exitCode());
        try {
            Distribution.Result listed = bundles("list");
            assertEquals(1, listed.exitCode(), "an unhealthy process lists with exit code 1");
            assertTrue(listed.out().contains("Problems:"), listed.out());
            assertTrue(listed.out().contains("waiting-for-a-store"), listed.out());
            assertTrue(listed.out().contains("UNSATISFIED_REFERENCE"), listed.out());
            assertTrue(listed.out().contains("io.kubundle.itests.waiting.Store"), listed.out());
            assertEquals("degraded", AdminClient.forDataDir(dataDir).health().path("status").asText());
        } finally {
            assertEquals(0, bundles("uninstall", "io.kubundle.itests.waiting").exitCode());
        }
        assertEquals(0, bundles("list").exitCode(), "healthy again once the bundle is gone");
    }

    private static String version() throws Exception {
        JsonNode bundle = bundleNamed(SAMPLE);
        return bundle == null ? null : bundle.path("version").asText();
    }

    private static void awaitSample(String state) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String last = "?";
        while (System.nanoTime() < deadline) {
            JsonNode bundle = bundleNamed(SAMPLE);
            last = bundle == null ? null : bundle.path("state").asText();
            if (java.util.Objects.equals(state, last)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("sample plugin state: expected " + state + " but was " + last);
    }
}
