package io.kubundle.admin.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

import io.kubundle.api.health.HealthCheck;

/**
 * Builds the health report of the framework. The result holds only java.lang and java.util types
 * because the launcher reads it from outside the framework, where it shares nothing else.
 */
final class HealthReport {
    private final BundleContext context;
    private final ServiceComponentRuntime scr;

    HealthReport(BundleContext context, ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    static boolean healthy(Map<String, Object> report) {
        return "ok".equals(report.get("status"));
    }

    Map<String, Object> build() {
        Bundle[] bundles = context.getBundles();
        List<Object> problems = new ArrayList<>();
        int active = 0;
        int total = 0;
        for (Bundle bundle : bundles) {
            int state = bundle.getState();
            if (state == Bundle.UNINSTALLED) {
                // uninstalled since getBundles(): gone, not a problem
                continue;
            }
            total++;
            if (state == Bundle.ACTIVE) {
                active++;
            }
            if (BundleJson.isFragment(bundle)) {
                // fragments never become ACTIVE; RESOLVED means attached to a host
                if (state == Bundle.INSTALLED) {
                    problems.add(problem(bundle, null, BundleJson.stateName(state), "not resolved"));
                }
            } else if (state != Bundle.ACTIVE) {
                problems.add(problem(bundle, null, BundleJson.stateName(state), bundleReason(state)));
            }
            try {
                for (ComponentStates.Entry component : ComponentStates.of(scr, bundle)) {
                    if (!component.ready()) {
                        problems.add(problem(bundle, component.name(), component.state(), component.problem()));
                    }
                }
            } catch (IllegalStateException e) {
                // uninstalled while we looked
            }
        }
        problems.addAll(checks());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("total", total);
        counts.put("active", active);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", problems.isEmpty() ? "ok" : "degraded");
        report.put("bundles", counts);
        report.put("problems", problems);
        return report;
    }

    /** What the registered {@link HealthCheck}s report, as problems of their bundles. */
    private List<Object> checks() {
        List<Object> problems = new ArrayList<>();
        ServiceReference<?>[] references;
        try {
            references = context.getServiceReferences(HealthCheck.class.getName(), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (references == null) {
            return problems;
        }
        for (ServiceReference<?> reference : references) {
            Object service = context.getService(reference);
            if (!(service instanceof HealthCheck check)) {
                continue;
            }
            try {
                for (String problem : check.problems()) {
                    problems.add(problem(reference.getBundle(), check.name(), "DEGRADED", problem));
                }
            } catch (RuntimeException e) {
                problems.add(problem(reference.getBundle(), check.name(), "DEGRADED", "health check failed: " + e));
            } finally {
                context.ungetService(reference);
            }
        }
        return problems;
    }

    private static String bundleReason(int state) {
        switch (state) {
            case Bundle.INSTALLED:
                return "not resolved";
            case Bundle.RESOLVED:
                return "resolved but not started";
            case Bundle.STARTING:
                return "starting";
            case Bundle.STOPPING:
                return "stopping";
            default:
                return "not active";
        }
    }

    private static Map<String, Object> problem(Bundle bundle, String component, String state, String reason) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("bundle", bundle.getSymbolicName());
        problem.put("component", component);
        problem.put("state", state);
        problem.put("reason", reason);
        return problem;
    }
}
