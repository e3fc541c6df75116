package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.kubundle.api.scheduler.Bind;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.Permit;
import io.kubundle.api.scheduler.PostFilter;
import io.kubundle.api.scheduler.PreFilter;
import io.kubundle.api.scheduler.PreScore;
import io.kubundle.api.scheduler.Reserve;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;

/**
 * A profile with its plugins resolved: the plugins of each extension point in order, the score
 * weights, and the plugins it names that are not installed. Immutable.
 */
final class Profile {
    /** A registered plugin service. */
    record Registration(SchedulerPlugin plugin, String name, int ranking, long serviceId, List<String> joins, int weight) {
        boolean joins(String schedulerName) {
            return joins.contains("*") || joins.contains(schedulerName);
        }
    }

    final String schedulerName;
    final List<PreFilter> preFilters = new ArrayList<>();
    final List<Filter> filters = new ArrayList<>();
    final List<PostFilter> postFilters = new ArrayList<>();
    final List<PreScore> preScores = new ArrayList<>();
    final List<Score> scores = new ArrayList<>();
    final List<Long> weights = new ArrayList<>();
    final List<Reserve> reserves = new ArrayList<>();
    final List<Permit> permits = new ArrayList<>();
    final List<Bind> binders = new ArrayList<>();
    final List<String> missing = new ArrayList<>();
    final List<String> pluginNames = new ArrayList<>();
    final Integer percentageOfNodesToScore;
    long[] scoreWeights = new long[0];

    Profile(String schedulerName, Integer percentageOfNodesToScore) {
        this.schedulerName = schedulerName;
        this.percentageOfNodesToScore = percentageOfNodesToScore;
    }

    boolean complete() {
        return missing.isEmpty();
    }

    /**
     * Resolves a profile against the registered plugins: the configured ones in their order (a
     * name nobody registered is missing), then those that join by themselves (by ranking). Of
     * several services with one name, the highest {@code service.ranking} (then the oldest) wins.
     */
    static Profile resolve(ProfileConfig.Spec spec, List<Registration> registrations) {
        Map<String, Registration> byName = new java.util.HashMap<>();
        for (Registration registration : registrations) {
            byName.merge(registration.name(), registration, (a, b) -> better(a, b) ? a : b);
        }
        Profile profile = new Profile(spec.schedulerName(), spec.percentageOfNodesToScore());
        spec.plugins().forEach((name, weight) -> {
            Registration registration = byName.get(name);
            if (registration == null) {
                profile.missing.add(name);
            } else {
                profile.add(registration.plugin(), weight);
            }
        });
        List<Registration> joiners = new ArrayList<>();
        for (Registration registration : byName.values()) {
            if (registration.joins(spec.schedulerName()) && !spec.plugins().containsKey(registration.name())
                    && !spec.disabled().contains(registration.name())) {
                joiners.add(registration);
            }
        }
        joiners.sort(Comparator.comparingInt(Registration::ranking).reversed().thenComparingLong(Registration::serviceId));
        for (Registration joiner : joiners) {
            profile.add(joiner.plugin(), joiner.weight());
        }
        profile.scoreWeights = profile.weights.stream().mapToLong(Long::longValue).toArray();
        return profile;
    }

    private static boolean better(Registration a, Registration b) {
        return a.ranking() != b.ranking() ? a.ranking() > b.ranking() : a.serviceId() < b.serviceId();
    }

    private void add(SchedulerPlugin plugin, int weight) {
        pluginNames.add(plugin.name());
        if (plugin instanceof PreFilter p) {
            preFilters.add(p);
        }
        if (plugin instanceof Filter p) {
            filters.add(p);
        }
        if (plugin instanceof PostFilter p) {
            postFilters.add(p);
        }
        if (plugin instanceof PreScore p) {
            preScores.add(p);
        }
        if (plugin instanceof Score p) {
            scores.add(p);
            weights.add((long) weight);
        }
        if (plugin instanceof Reserve p) {
            reserves.add(p);
        }
        if (plugin instanceof Permit p) {
            permits.add(p);
        }
        if (plugin instanceof Bind p) {
            binders.add(p);
        }
    }

    /** Builds a profile directly from plugins (tests). */
    static Profile of(String schedulerName, Map<SchedulerPlugin, Integer> plugins) {
        Profile profile = new Profile(schedulerName, null);
        plugins.forEach(profile::add);
        profile.scoreWeights = profile.weights.stream().mapToLong(Long::longValue).toArray();
        return profile;
    }
}
