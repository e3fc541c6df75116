package io.kubundle.scheduler.internal.plugins;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.Resources;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;
import io.kubundle.api.scheduler.Status;

/**
 * Filter: the pod's requests fit in what the node has allocatable minus what its pods (bound and
 * assumed) request, and the node has room for one more pod ({@code Insufficient cpu},
 * {@code Insufficient memory}, {@code Too many pods}). Score: LeastAllocated, kube-scheduler's
 * default strategy: the more CPU and memory left free after the pod, the higher (CPU and memory
 * weigh the same; requests of 0 count as 100m and 200 MiB, as in Kubernetes).
 */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + NodeResourcesFit.NAME)
public final class NodeResourcesFit implements Filter, Score {
    public static final String NAME = "NodeResourcesFit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<String> reasons = null;
        if (node.pods().size() + 1 > node.allowedPods()) {
            reasons = add(reasons, "Too many pods");
        }
        Resources request = pod.requests();
        Resources allocatable = node.allocatable();
        Resources requested = node.requested();
        if (request.milliCpu() > 0 && allocatable.milliCpu() < request.milliCpu() + requested.milliCpu()) {
            reasons = add(reasons, "Insufficient cpu");
        }
        if (request.memory() > 0 && allocatable.memory() < request.memory() + requested.memory()) {
            reasons = add(reasons, "Insufficient memory");
        }
        if (request.ephemeralStorage() > 0 && allocatable.ephemeralStorage() < request.ephemeralStorage() + requested.ephemeralStorage()) {
            reasons = add(reasons, "Insufficient ephemeral-storage");
        }
        if (!request.scalars().isEmpty()) {
            for (Map.Entry<String, Long> scalar : request.scalars().entrySet()) {
                if (scalar.getValue() > 0 && allocatable.get(scalar.getKey()) < scalar.getValue() + requested.get(scalar.getKey())) {
                    reasons = add(reasons, "Insufficient " + scalar.getKey());
                }
            }
        }
        return reasons == null ? Status.success() : Status.unschedulable(reasons.toArray(String[]::new));
    }

    private static List<String> add(List<String> reasons, String reason) {
        List<String> list = reasons == null ? new ArrayList<>(2) : reasons;
        list.add(reason);
        return list;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        long cpu = leastAllocated(node.nonZeroRequestedMilliCpu() + pod.nonZeroMilliCpu(), node.allocatable().milliCpu());
        long memory = leastAllocated(node.nonZeroRequestedMemory() + pod.nonZeroMemory(), node.allocatable().memory());
        return (cpu + memory) / 2;
    }

    static long leastAllocated(long requested, long capacity) {
        if (capacity == 0 || requested > capacity) {
            return 0;
        }
        return (capacity - requested) * MAX_SCORE / capacity;
    }
}
