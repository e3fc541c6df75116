package io.kubundle.scheduler.internal.plugins;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PreFilter;
import io.kubundle.api.scheduler.PreFilterResult;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Status;

/** A pod that names its node ({@code spec.nodeName}) fits only there. */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + NodeName.NAME)
public final class NodeName implements PreFilter, Filter {
    public static final String NAME = "NodeName";
    static final String REASON = "node(s) didn't match the requested node name";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        return pod.nodeName().isEmpty() ? PreFilterResult.skip() : PreFilterResult.success();
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        return pod.nodeName().isEmpty() || pod.nodeName().equals(node.name()) ? Status.success() : Status.unresolvable(REASON);
    }
}
