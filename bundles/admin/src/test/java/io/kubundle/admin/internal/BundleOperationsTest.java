package io.kubundle.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

final class BundleOperationsTest {
    private EmbeddedFramework felix;
    private BundleOperations operations;

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        felix = EmbeddedFramework.start(storage, Map.of());
        operations = new BundleOperations(felix.context, felix.scr, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        felix.close();
    }

    @Test
    void installStartsTheBundleAndDescribesIt() throws Exception {
        Map<String, Object> json = operations.install(greeter("1.0.0"));
        assertEquals("test.greeter", json.get("symbolicName"));
        assertEquals("1.0.0", json.get("version"));
        assertEquals("ACTIVE", json.get("state"));
        assertEquals("kubundle-admin:test.greeter/1.0.0", json.get("location"));
        assertEquals(false, json.get("fragment"));
        Map<?, ?> service = (Map<?, ?>) ((List<?>) json.get("services")).get(0);
        assertEquals(List.of("test.api.Greeter"), service.get("objectClass"));
        assertEquals("greeter", service.get("componentName"));
        assertNull(service.get("name"));
        assertEquals(List.of(Map.of("name", "greeter", "state", "SATISFIED")), withoutNullProblems(json));
    }

    @Test
    void installTwiceIsAConflict() throws Exception {
        long id = (Long) operations.install(greeter("1.0.0")).get("id");
        int before = felix.context.getBundles().length;
        AdminException e = assertThrows(AdminException.class, () -> operations.install(greeter("1.0.0")));
        assertEquals(409, e.status());
        assertEquals("test.greeter 1.0.0 is already installed (bundle " + id + ")", e.getMessage());
        assertEquals(before, felix.context.getBundles().length);
    }

    @Test
    void aBundleThatCannotStartIsRemovedAgain() throws Exception {
        int before = felix.context.getBundles().length;
        byte[] jar = TestJars.bundle("test.broken", "1.0.0").header("Import-Package", "does.not.exist").build();
        AdminException e = assertThrows(AdminException.class, () -> operations.install(jar));
        assertEquals(422, e.status());
        assertTrue(e.getMessage().startsWith("test.broken 1.0.0 cannot start: "), e.getMessage());
        assertTrue(e.getMessage().contains("does.not.exist"), e.getMessage());
        assertEquals(before, felix.context.getBundles().length);
        // and it can be installed again once fixed, at the same location
        assertEquals("ACTIVE", operations.install(TestJars.bundle("test.broken", "1.0.0").build()).get("state"));
    }

    @Test
    void fragmentsAreInstalledButNotStarted() throws Exception {
        Map<String, Object> json = operations.install(TestJars.bundle("test.texts", "1.0.0")
                .header("Fragment-Host", "test.greeter").build());
        assertEquals(true, json.get("fragment"));
        assertEquals("INSTALLED", json.get("state"));
    }

    @Test
    void listIsSortedByIdAndStartsWithTheSystemBundle() throws Exception {
        operations.install(greeter("1.0.0"));
        List<Object> bundles = operations.list();
        long previous = -1;
        for (Object bundle : bundles) {
            long id = (Long) ((Map<?, ?>) bundle).get("id");
            assertTrue(id > previous);
            previous = id;
        }
        assertEquals(0L, ((Map<?, ?>) bundles.get(0)).get("id"));
        assertEquals("ACTIVE", ((Map<?, ?>) bundles.get(0)).get("state"));
    }

    @Test
    void updateReplacesTheBundleInPlace() throws Exception {
        long id = (Long) operations.install(greeter("1.0.0")).get("id");
        Map<String, Object> json = operations.update("test.greeter", greeter("1.1.0"));
        assertEquals(id, json.get("id"));
        assertEquals("1.1.0", json.get("version"));
        assertEquals("ACTIVE", json.get("state"));
    }

    @Test
    void updateRejectsAnotherBundlesJar() throws Exception {
        operations.install(greeter("1.0.0"));
        AdminException e = assertThrows(AdminException.class,
                () -> operations.update("test.greeter", TestJars.bundle("test.other", "1.0.0").build()));
        assertEquals(400, e.status());
        assertEquals("jar is test.other, not test.greeter", e.getMessage());
        assertEquals(404, assertThrows(AdminException.class,
                () -> operations.update("test.none", greeter("1.0.0"))).status());
        assertEquals(400, assertThrows(AdminException.class,
                () -> operations.update("test.greeter", new byte[] {1, 2, 3})).status());
    }

    @Test
    void anUpdateThatCannotStartIsRolledBack() throws Exception {
        long id = (Long) operations.install(greeter("1.0.0")).get("id");
        byte[] broken = TestJars.bundle("test.greeter", "2.0.0").header("Import-Package", "does.not.exist").build();
        AdminException e = assertThrows(AdminException.class, () -> operations.update("test.greeter", broken));
        assertEquals(422, e.status());
        assertTrue(e.getMessage().startsWith("test.greeter 2.0.0 cannot start: "), e.getMessage());
        Bundle bundle = felix.context.getBundle(id);
        assertEquals("1.0.0", bundle.getVersion().toString());
        assertEquals(Bundle.ACTIVE, bundle.getState());
        // the restored copy still holds the component description
        assertEquals(List.of(Map.of("name", "greeter", "state", "SATISFIED")),
                withoutNullProblems(operations.describe(bundle)));
    }

    @Test
    void uninstall() throws Exception {
        long id = (Long) operations.install(greeter("1.0.0")).get("id");
        Map<String, Object> json = operations.uninstall(String.valueOf(id));
        assertEquals("test.greeter", ((Map<?, ?>) json.get("uninstalled")).get("symbolicName"));
        assertNull(felix.context.getBundle(id));
        AdminException system = assertThrows(AdminException.class, () -> operations.uninstall("0"));
        assertEquals(409, system.status());
        assertEquals(404, assertThrows(AdminException.class, () -> operations.uninstall("test.greeter")).status());
    }

    @Test
    void ambiguousNames() throws Exception {
        operations.install(greeter("1.0.0"));
        operations.install(greeter("2.0.0"));
        AdminException e = assertThrows(AdminException.class, () -> operations.uninstall("test.greeter"));
        assertEquals(409, e.status());
        assertEquals("test.greeter is ambiguous: installed versions 1.0.0, 2.0.0; use test.greeter:<version>",
                e.getMessage());
        assertEquals("2.0.0", ((Map<?, ?>) operations.uninstall("test.greeter:2.0.0").get("uninstalled")).get("version"));
    }

    @Test
    void aLocationFreedByAnUpdateIsNotReused() throws Exception {
        long first = (Long) operations.install(greeter("1.0.0")).get("id");
        operations.update("test.greeter", greeter("2.0.0"));
        Map<String, Object> again = operations.install(greeter("1.0.0"));
        assertTrue((Long) again.get("id") != first);
        assertEquals("kubundle-admin:test.greeter/1.0.0~2", again.get("location"));
    }

    @Test
    void swapWithoutAGap() throws Exception {
        long oldId = (Long) operations.install(greeter("1.0.0")).get("id");
        Map<String, Object> result = operations.swap("test.greeter", greeter("2.0.0"));
        assertEquals("2.0.0", ((Map<?, ?>) result.get("installed")).get("version"));
        assertEquals(oldId, ((Map<?, ?>) result.get("removed")).get("id"));
        assertEquals(0.0, result.get("gapMillis"));
        assertEquals(Map.of("test.api.Greeter", 0.0), result.get("interfaces"));
        assertNull(felix.context.getBundle(oldId));
    }

    @Test
    void swapToABundleWithoutTheServiceLeavesAGap() throws Exception {
        operations.install(greeter("1.0.0"));
        Map<String, Object> result = operations.swap("test.greeter", TestJars.bundle("test.quiet", "1.0.0").build());
        double gap = (Double) result.get("gapMillis");
        assertTrue(gap > 0, "gap " + gap);
        assertEquals(Map.of("test.api.Greeter", gap), result.get("interfaces"));
    }

    @Test
    void swapToABundleWhoseComponentCannotBeSatisfiedIsRolledBack() throws Exception {
        long oldId = (Long) operations.install(greeter("1.0.0")).get("id");
        int before = felix.context.getBundles().length;
        byte[] needy = TestJars.bundle("test.greeter", "2.0.0")
                .component("greeter", "test.api.Greeter", "test.api.Clock").build();
        AdminException e = assertThrows(AdminException.class, () -> operations.swap("test.greeter", needy));
        assertEquals(422, e.status());
        assertEquals("test.greeter 2.0.0 is not ready after 2 s: component greeter is UNSATISFIED_REFERENCE: "
                + "unsatisfied reference Clock (test.api.Clock)", e.getMessage());
        assertEquals(before, felix.context.getBundles().length);
        assertEquals(Bundle.ACTIVE, felix.context.getBundle(oldId).getState());
    }

    @Test
    void swapRejections() throws Exception {
        operations.install(greeter("1.0.0"));
        assertEquals(404, assertThrows(AdminException.class,
                () -> operations.swap("test.none", greeter("2.0.0"))).status());
        assertEquals(400, assertThrows(AdminException.class,
                () -> operations.swap("test.greeter", new byte[0])).status());
        AdminException conflict = assertThrows(AdminException.class,
                () -> operations.swap("test.greeter", greeter("1.0.0")));
        assertEquals(409, conflict.status());
        assertEquals(409, assertThrows(AdminException.class, () -> operations.swap("0", greeter("2.0.0"))).status());
    }

    static byte[] greeter(String version) {
        return TestJars.bundle("test.greeter", version).component("greeter", "test.api.Greeter").build();
    }

    /** The components of a bundle's JSON, with the null problems dropped so Map.of can compare them. */
    static List<Map<String, Object>> withoutNullProblems(Map<String, Object> bundleJson) {
        return ((List<?>) bundleJson.get("components")).stream().map(component -> {
            Map<?, ?> map = (Map<?, ?>) component;
            assertTrue(map.containsKey("problem"));
            java.util.Map<String, Object> copy = new java.util.LinkedHashMap<>();
            map.forEach((key, value) -> {
                if (value != null) {
                    copy.put((String) key, value);
                }
            });
            return copy;
        }).map(Map::copyOf).toList();
    }
}
