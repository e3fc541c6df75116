package io.kubundle.scheduler.internal.plugins;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.NodeSelectorTerm;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PreFilter;
import io.kubundle.api.scheduler.PreFilterResult;
import io.kubundle.api.scheduler.PreScore;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;
import io.kubundle.api.scheduler.Status;

/**
 * Filter: the node has every label of the pod's {@code nodeSelector} and matches one of the terms
 * of its required node affinity. Score: the sum of the weights of the preferred terms the node
 * matches, scaled so the best node gets 100.
 */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + NodeAffinity.NAME)
public final class NodeAffinity implements PreFilter, Filter, PreScore, Score {
    public static final String NAME = "NodeAffinity";
    static final String REASON = "node(s) didn't match Pod's node affinity/selector";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        return pod.nodeSelector().isEmpty() && pod.nodeAffinity().required() == null ? PreFilterResult.skip() : PreFilterResult.success();
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        return matches(pod, node) ? Status.success() : Status.unresolvable(REASON);
    }

    /** Whether the node satisfies the pod's nodeSelector and required node affinity. */
    public static boolean matches(PodInfo pod, NodeInfo node) {
        Map<String, String> labels = node.labels();
        for (Map.Entry<String, String> wanted : pod.nodeSelector().entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        List<NodeSelectorTerm> required = pod.nodeAffinity().required();
        return required == null || NodeSelectorTerm.anyMatches(required, node);
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, ClusterSnapshot cluster, List<NodeInfo> feasibleNodes) {
        return pod.nodeAffinity().preferred().isEmpty() ? Status.skip() : Status.success();
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        long sum = 0;
        for (io.kubundle.api.scheduler.NodeAffinity.Preferred preferred : pod.nodeAffinity().preferred()) {
            if (preferred.weight() != 0 && preferred.term().matches(node)) {
                sum += preferred.weight();
            }
        }
        return sum;
    }

    @Override
    public void normalize(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
        Score.defaultNormalize(scores, false);
    }
}
