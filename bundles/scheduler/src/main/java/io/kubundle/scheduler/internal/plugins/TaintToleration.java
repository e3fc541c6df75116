package io.kubundle.scheduler.internal.plugins;

import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PreScore;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;
import io.kubundle.api.scheduler.Status;
import io.kubundle.api.scheduler.Taint;
import io.kubundle.api.scheduler.Toleration;

/**
 * Filter: every NoSchedule and NoExecute taint of the node is tolerated by the pod, reporting the
 * first one that is not as kube-scheduler does ({@code node(s) had untolerated taint {key: value}}).
 * This is what keeps ordinary pods off control-plane nodes, tainted
 * {@code node-role.kubernetes.io/control-plane:NoSchedule} (or, on older clusters,
 * {@code node-role.kubernetes.io/master:NoSchedule}): a pod must tolerate the taint its node
 * carries. Score: the fewer PreferNoSchedule taints the pod does not tolerate, the better.
 */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + TaintToleration.NAME)
public final class TaintToleration implements Filter, PreScore, Score {
    public static final String NAME = "TaintToleration";
    public static final String CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane";
    public static final String MASTER_TAINT = "node-role.kubernetes.io/master";
    private static final String PREFERRED = NAME + "/preferNoScheduleTolerations";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<Taint> taints = node.taints();
        for (int i = 0; i < taints.size(); i++) {
            Taint taint = taints.get(i);
            if (taint.effect().equals(Taint.PREFER_NO_SCHEDULE)) {
                continue;
            }
            if (!tolerated(pod.tolerations(), taint)) {
                return Status.unresolvable("node(s) had untolerated taint {" + taint.key() + ": " + taint.value() + "}");
            }
        }
        return Status.success();
    }

    static boolean tolerated(List<Toleration> tolerations, Taint taint) {
        for (int i = 0; i < tolerations.size(); i++) {
            if (tolerations.get(i).tolerates(taint)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, ClusterSnapshot cluster, List<NodeInfo> feasibleNodes) {
        boolean any = false;
        for (NodeInfo node : feasibleNodes) {
            for (Taint taint : node.taints()) {
                if (taint.effect().equals(Taint.PREFER_NO_SCHEDULE)) {
                    any = true;
                    break;
                }
            }
        }
        if (!any) {
            return Status.skip();
        }
        List<Toleration> preferNoSchedule = new ArrayList<>();
        for (Toleration toleration : pod.tolerations()) {
            if (toleration.effect().isEmpty() || toleration.effect().equals(Taint.PREFER_NO_SCHEDULE)) {
                preferNoSchedule.add(toleration);
            }
        }
        state.put(PREFERRED, preferNoSchedule);
        return Status.success();
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        List<Toleration> tolerations = state.get(PREFERRED);
        if (tolerations == null) {
            tolerations = pod.tolerations();
        }
        long intolerable = 0;
        for (Taint taint : node.taints()) {
            if (taint.effect().equals(Taint.PREFER_NO_SCHEDULE) && !tolerated(tolerations, taint)) {
                intolerable++;
            }
        }
        return intolerable;
    }

    @Override
    public void normalize(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
        Score.defaultNormalize(scores, true);
    }
}
