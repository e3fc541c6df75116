package io.kubundle.scheduler.internal.plugins;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;

/**
 * Prefers nodes whose CPU and memory would be used in the same proportion after the pod:
 * {@code (1 - std) * 100}, the standard deviation of the two fractions (each at most 1), as
 * kube-scheduler's NodeResourcesBalancedAllocation.
 */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + NodeResourcesBalancedAllocation.NAME)
public final class NodeResourcesBalancedAllocation implements Score {
    public static final String NAME = "NodeResourcesBalancedAllocation";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        double cpu = fraction(node.nonZeroRequestedMilliCpu() + pod.nonZeroMilliCpu(), node.allocatable().milliCpu());
        double memory = fraction(node.nonZeroRequestedMemory() + pod.nonZeroMemory(), node.allocatable().memory());
        double std = Math.abs(cpu - memory) / 2;
        return (long) ((1 - std) * MAX_SCORE);
    }

    private static double fraction(long requested, long capacity) {
        if (capacity == 0) {
            return 1;
        }
        return Math.min(1.0, (double) requested / capacity);
    }
}
