package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler's configuration ({@code etc/io.kubundle.scheduler.cfg}), parsed:
 * <pre>
 * profiles = default-scheduler, batch-scheduler
 * profile.default-scheduler.plugins = NodeUnschedulable, NodeName, TaintToleration:3, ...
 * profile.default-scheduler.disabled = PreferLabel          (plugins that join by themselves)
 * profile.batch-scheduler.percentageOfNodesToScore = 100
 * percentageOfNodesToScore = 0                               (0: kube-scheduler's adaptive default)
 * bindWorkers = 16
 * </pre>
 * A profile without {@code plugins} gets {@link #DEFAULT_PLUGINS}.
 */
record ProfileConfig(List<Spec> profiles, int percentageOfNodesToScore, int bindWorkers, long initialBackoffMillis,
        long maxBackoffMillis, long unschedulableTimeoutMillis) {
    static final String DEFAULT_SCHEDULER = "default-scheduler";

    /** kube-scheduler's default plugins, cheap filters first, with its default score weights. */
    static final String DEFAULT_PLUGINS = "NodeUnschedulable, NodeName, TaintToleration:3, NodeAffinity:2, NodeResourcesFit:1, "
            + "PodTopologySpread:2, InterPodAffinity:2, NodeResourcesBalancedAllocation:1, DefaultPreemption, DefaultBinder";

    /** One profile as configured: plugin names in order with their weights, and joiners left out. */
    record Spec(String schedulerName, Map<String, Integer> plugins, Set<String> disabled, Integer percentageOfNodesToScore) {
    }

    static ProfileConfig defaults() {
        return parse(Map.of());
    }

    /** @throws IllegalArgumentException naming the bad entry */
    static ProfileConfig parse(Map<String, ?> config) {
        List<Spec> specs = new ArrayList<>();
        for (String name : list(text(config, "profiles", DEFAULT_SCHEDULER))) {
            String prefix = "profile." + name + ".";
            Map<String, Integer> plugins = new LinkedHashMap<>();
            for (String entry : list(text(config, prefix + "plugins", DEFAULT_PLUGINS))) {
                int colon = entry.indexOf(':');
                String plugin = colon < 0 ? entry : entry.substring(0, colon).trim();
                int weight = 1;
                if (colon >= 0) {
                    try {
                        weight = Integer.parseInt(entry.substring(colon + 1).trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(prefix + "plugins: bad weight in " + entry);
                    }
                    if (weight < 0) {
                        throw new IllegalArgumentException(prefix + "plugins: negative weight in " + entry);
                    }
                }
                plugins.put(plugin, weight);
            }
            String percentage = text(config, prefix + "percentageOfNodesToScore", null);
            specs.add(new Spec(name, plugins, new LinkedHashSet<>(list(text(config, prefix + "disabled", ""))),
                    percentage == null ? null : percentage(percentage)));
        }
        return new ProfileConfig(List.copyOf(specs), percentage(text(config, "percentageOfNodesToScore", "0")),
                Integer.parseInt(text(config, "bindWorkers", "16")),
                seconds(text(config, "podInitialBackoffSeconds", "1")), seconds(text(config, "podMaxBackoffSeconds", "10")),
                seconds(text(config, "unschedulableTimeoutSeconds", "300")));
    }

    Set<String> schedulerNames() {
        Set<String> names = new LinkedHashSet<>();
        profiles.forEach(spec -> names.add(spec.schedulerName()));
        return names;
    }

    private static int percentage(String text) {
        int value = Integer.parseInt(text.trim());
        if (value < 0 || value > 100) {
            throw new IllegalArgumentException("percentageOfNodesToScore must be 0-100: " + text);
        }
        return value;
    }

    private static long seconds(String text) {
        return Math.round(Double.parseDouble(text.trim()) * 1000);
    }

    private static String text(Map<String, ?> config, String key, String fallback) {
        Object value = config.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof String[] array) {
            return String.join(",", array);
        }
        if (value instanceof Iterable<?> iterable) {
            List<String> parts = new ArrayList<>();
            iterable.forEach(part -> parts.add(String.valueOf(part)));
            return String.join(",", parts);
        }
        return String.valueOf(value);
    }

    private static List<String> list(String text) {
        List<String> values = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                values.add(part.trim());
            }
        }
        return values;
    }
}
