package io.kubundle.api.scheduler;

import io.kubundle.api.meta.LabelSelector;

/**
 * A pod's topology spread constraint.
 *
 * @param maxSkew how much the matching pods' count may differ between domains
 * @param topologyKey the node label whose values are the domains
 * @param whenUnsatisfiable {@code DoNotSchedule} (a filter) or {@code ScheduleAnyway} (a score)
 * @param selector which pods count (in the pod's namespace); null counts none
 * @param minDomains the minimum number of domains (DoNotSchedule only), 1 when unset
 */
public record TopologySpreadConstraint(int maxSkew, String topologyKey, String whenUnsatisfiable, LabelSelector selector,
        int minDomains) {
    public static final String DO_NOT_SCHEDULE = "DoNotSchedule";
    public static final String SCHEDULE_ANYWAY = "ScheduleAnyway";

    public boolean isHard() {
        return DO_NOT_SCHEDULE.equals(whenUnsatisfiable);
    }
}
