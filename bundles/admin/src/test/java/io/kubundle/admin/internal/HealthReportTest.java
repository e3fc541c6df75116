package io.kubundle.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

final class HealthReportTest {
    private EmbeddedFramework felix;
    private HealthReport health;

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        felix = EmbeddedFramework.start(storage, Map.of());
        health = new HealthReport(felix.context, felix.scr);
    }

    @AfterEach
    void stop() throws Exception {
        felix.close();
    }

    @Test
    void healthyFramework() {
        Map<String, Object> report = health.build();
        assertTrue(HealthReport.healthy(report));
        assertEquals(Map.of("status", "ok", "bundles", Map.of("total", 2, "active", 2), "problems", List.of()), report);
    }

    @Test
    void everyKindOfProblem() throws Exception {
        install(TestJars.bundle("test.needy", "1.0.0").component("needy", null, "test.api.Clock")).start();
        install(TestJars.bundle("test.configured", "1.0.0").rawComponent("configured",
                "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"configured\""
                        + " configuration-policy=\"require\" configuration-pid=\"test.pid\">"
                        + "<implementation class=\"java.lang.Object\"/></scr:component>")).start();
        install(TestJars.bundle("test.failing", "1.0.0").rawComponent("failing",
                "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"failing\" immediate=\"true\">"
                        + "<implementation class=\"java.lang.Void\"/></scr:component>")).start();
        install(TestJars.bundle("test.off", "1.0.0").rawComponent("off",
                "<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"off\" enabled=\"false\">"
                        + "<implementation class=\"java.lang.Object\"/></scr:component>")).start();
        install(TestJars.bundle("test.unresolved", "1.0.0").header("Import-Package", "does.not.exist"));
        install(TestJars.bundle("test.orphan", "1.0.0").header("Fragment-Host", "test.none"));
        Bundle resolved = install(TestJars.bundle("test.stopped", "1.0.0"));
        resolved.start();
        resolved.stop();

        Map<String, Object> report = health.build();
        assertFalse(HealthReport.healthy(report));
        assertEquals("degraded", report.get("status"));
        assertEquals(Map.of("total", 9, "active", 6), report.get("bundles"));
        assertEquals(List.of(
                problem("test.needy", "needy", "UNSATISFIED_REFERENCE", "unsatisfied reference Clock (test.api.Clock)"),
                problem("test.configured", "configured", "UNSATISFIED_CONFIGURATION", "waiting for configuration test.pid"),
                problem("test.failing", "failing", "FAILED_ACTIVATION", null),
                problem("test.unresolved", null, "INSTALLED", "not resolved"),
                problem("test.orphan", null, "INSTALLED", "not resolved"),
                problem("test.stopped", null, "RESOLVED", "resolved but not started")),
                withoutFailureText(report.get("problems")));
        Map<?, ?> failing = (Map<?, ?>) ((List<?>) report.get("problems")).get(2);
        assertTrue(((String) failing.get("reason")).startsWith("java.lang.InstantiationException"), failing.toString());
        assertFalse(((String) failing.get("reason")).contains("\n"));
    }

    @Test
    void healthChecksAddTheirProblems() {
        io.kubundle.api.health.HealthCheck check = new io.kubundle.api.health.HealthCheck() {
            @Override
            public String name() {
                return "scheduler";
            }

            @Override
            public List<String> problems() {
                return List.of("profile default-scheduler: plugin Vendor is not installed (its pods wait)");
            }
        };
        var registration = felix.context.registerService(io.kubundle.api.health.HealthCheck.class, check, null);
        Map<String, Object> report = health.build();
        assertFalse(HealthReport.healthy(report));
        assertEquals(List.of(problem("org.apache.felix.framework", "scheduler", "DEGRADED",
                "profile default-scheduler: plugin Vendor is not installed (its pods wait)")), report.get("problems"));
        registration.unregister();
        assertTrue(HealthReport.healthy(health.build()));
    }

    private Bundle install(TestJars jar) throws Exception {
        return felix.context.installBundle("test:" + System.nanoTime(), new java.io.ByteArrayInputStream(jar.build()));
    }

    private static Map<String, Object> problem(String bundle, String component, String state, String reason) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("bundle", bundle);
        problem.put("component", component);
        problem.put("state", state);
        problem.put("reason", reason);
        return problem;
    }

    /** FAILED_ACTIVATION text comes from SCR; checked on its own. */
    private static List<Map<String, Object>> withoutFailureText(Object problems) {
        return ((List<?>) problems).stream().map(item -> {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<?, ?>) item).forEach((key, value) -> copy.put((String) key, value));
            if ("FAILED_ACTIVATION".equals(copy.get("state"))) {
                copy.put("reason", null);
            }
            return copy;
        }).toList();
    }
}
