package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.kubundle.api.health.HealthCheck;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.KubeClient;

/**
 * Runs the scheduler while the bundle is active. Plugins are every {@link SchedulerPlugin}
 * service, followed as they come and go; profiles come from {@code etc/io.kubundle.scheduler.cfg}
 * (read again when it changes: profiles at once, the other settings by restarting the scheduler).
 * A profile naming a plugin that is not installed is reported through {@link HealthCheck} (once it
 * has been missing for 5 s: not while the bundle's own plugins register at start, nor during a
 * plugin's swap), and its pods wait; the process does not stop, and starts without waiting for it.
 */
@Component(configurationPid = "io.kubundle.scheduler", immediate = true, service = HealthCheck.class)
public final class SchedulerComponent implements HealthCheck {
    private static final System.Logger LOG = System.getLogger(SchedulerComponent.class.getName());

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private final List<Profile.Registration> registrations = new CopyOnWriteArrayList<>();
    private volatile ProfileConfig config = ProfileConfig.defaults();
    private volatile Scheduler.ProfileSet profiles = new Scheduler.ProfileSet(Map.of());
    private volatile String configProblem;
    private volatile Scheduler scheduler;
    private ControllerHost host;
    /** "profile/plugin" -> since when (nanoTime) the profile misses the plugin. */
    private final Map<String, Long> missingSince = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * How long a plugin may be missing before it is reported: while the bundle starts, its own
     * plugins register one by one, and a swapped plugin is away for a moment.
     */
    static final long MISSING_GRACE_NANOS = 5_000_000_000L;

    @Reference(service = SchedulerPlugin.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addPlugin(SchedulerPlugin plugin, Map<String, Object> properties) {
        Profile.Registration registration = registration(plugin, properties);
        if (registration == null) {
            return;
        }
        registrations.add(registration);
        rebuild();
    }

    void updatedPlugin(SchedulerPlugin plugin, Map<String, Object> properties) {
        registrations.removeIf(r -> r.plugin() == plugin);
        addPlugin(plugin, properties);
    }

    void removePlugin(SchedulerPlugin plugin) {
        if (registrations.removeIf(r -> r.plugin() == plugin)) {
            rebuild();
        }
    }

    private static Profile.Registration registration(SchedulerPlugin plugin, Map<String, Object> properties) {
        Object name = properties.get(SchedulerPlugin.NAME_PROPERTY);
        if (name == null) {
            LOG.log(System.Logger.Level.WARNING, "scheduler plugin {0} has no {1} property: ignored", plugin.getClass().getName(),
                    SchedulerPlugin.NAME_PROPERTY);
            return null;
        }
        List<String> joins = new ArrayList<>();
        Object profiles = properties.get(SchedulerPlugin.PROFILES_PROPERTY);
        if (profiles instanceof String[] array) {
            for (String value : array) {
                joins.addAll(splitList(value));
            }
        } else if (profiles != null) {
            joins.addAll(splitList(String.valueOf(profiles)));
        }
        int weight = 1;
        Object configured = properties.get(SchedulerPlugin.WEIGHT_PROPERTY);
        if (configured != null) {
            try {
                weight = Integer.parseInt(String.valueOf(configured).trim());
            } catch (NumberFormatException e) {
                LOG.log(System.Logger.Level.WARNING, "scheduler plugin {0}: bad {1} {2}", name, SchedulerPlugin.WEIGHT_PROPERTY, configured);
            }
        }
        Object ranking = properties.get("service.ranking");
        Object id = properties.get("service.id");
        return new Profile.Registration(plugin, String.valueOf(name), ranking instanceof Integer r ? r : 0,
                id instanceof Long l ? l : 0L, List.copyOf(joins), weight);
    }

    private static List<String> splitList(String text) {
        List<String> values = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                values.add(part.trim());
            }
        }
        return values;
    }

    @Activate
    void activate(Map<String, Object> properties) {
        configure(properties);
        ProfileConfig settings = config;
        host = new ControllerHost("scheduler", () -> {
            Scheduler next = new Scheduler(new KubeClient(transport), new ApiWrites(transport), settings, () -> profiles);
            scheduler = next;
            return next;
        });
    }

    @Modified
    void modified(Map<String, Object> properties) {
        ProfileConfig before = config;
        configure(properties);
        ProfileConfig after = config;
        if (before.bindWorkers() != after.bindWorkers() || before.percentageOfNodesToScore() != after.percentageOfNodesToScore()
                || before.initialBackoffMillis() != after.initialBackoffMillis() || before.maxBackoffMillis() != after.maxBackoffMillis()
                || before.unschedulableTimeoutMillis() != after.unschedulableTimeoutMillis()) {
            LOG.log(System.Logger.Level.INFO, "scheduler settings changed: restarting the scheduler");
            deactivate();
            activate(properties);
        }
    }

    private void configure(Map<String, Object> properties) {
        try {
            config = ProfileConfig.parse(properties);
            configProblem = null;
        } catch (RuntimeException e) {
            configProblem = "etc/io.kubundle.scheduler.cfg: " + e.getMessage() + " (using the defaults)";
            LOG.log(System.Logger.Level.WARNING, configProblem);
            config = ProfileConfig.defaults();
        }
        rebuild();
    }

    private synchronized void rebuild() {
        Map<String, Profile> resolved = new LinkedHashMap<>();
        List<Profile.Registration> current = List.copyOf(registrations);
        for (ProfileConfig.Spec spec : config.profiles()) {
            resolved.put(spec.schedulerName(), Profile.resolve(spec, current));
        }
        Scheduler.ProfileSet next = new Scheduler.ProfileSet(Map.copyOf(resolved));
        profiles = next;
        java.util.Set<String> missingNow = new java.util.HashSet<>();
        for (Profile profile : resolved.values()) {
            for (String missing : profile.missing) {
                missingNow.add(profile.schedulerName + "/" + missing);
            }
        }
        long now = System.nanoTime();
        missingSince.keySet().retainAll(missingNow);
        missingNow.forEach(key -> missingSince.putIfAbsent(key, now));
        Scheduler running = scheduler;
        if (running != null) {
            running.profilesChanged();
        }
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            host.close();
            host = null;
        }
        scheduler = null;
    }

    @Override
    public String name() {
        return "scheduler";
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (configProblem != null) {
            problems.add(configProblem);
        }
        long now = System.nanoTime();
        for (Profile profile : profiles.profiles().values()) {
            for (String missing : profile.missing) {
                Long since = missingSince.get(profile.schedulerName + "/" + missing);
                if (since != null && now - since >= MISSING_GRACE_NANOS) {
                    problems.add("profile " + profile.schedulerName + ": plugin " + missing + " is not installed (its pods wait)");
                }
            }
        }
        return problems;
    }
}
