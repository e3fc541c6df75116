package io.kubundle.scheduler.internal.plugins;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Status;
import io.kubundle.api.scheduler.Taint;
import io.kubundle.api.scheduler.Toleration;

/**
 * A cordoned node ({@code spec.unschedulable}) takes no new pods, unless they tolerate the
 * {@code node.kubernetes.io/unschedulable:NoSchedule} taint (as DaemonSet pods do).
 */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + NodeUnschedulable.NAME)
public final class NodeUnschedulable implements Filter {
    public static final String NAME = "NodeUnschedulable";
    static final String REASON = "node(s) were unschedulable";
    private static final Taint UNSCHEDULABLE = new Taint("node.kubernetes.io/unschedulable", "", Taint.NO_SCHEDULE);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        if (!node.unschedulable()) {
            return Status.success();
        }
        for (Toleration toleration : pod.tolerations()) {
            if (toleration.tolerates(UNSCHEDULABLE)) {
                return Status.success();
            }
        }
        return Status.unresolvable(REASON);
    }
}
