package io.kubundle.scheduler.internal.plugins;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodAffinityTerm;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PreFilter;
import io.kubundle.api.scheduler.PreFilterResult;
import io.kubundle.api.scheduler.PreScore;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;
import io.kubundle.api.scheduler.Status;

/**
 * Inter-pod affinity and anti-affinity, by any topology key (the node's hostname label, a zone...).
 * Filter: the pod's required affinity terms each find a matching pod in the node's domain (or, for
 * the first pod of a group, the pod matches its own terms and no pod matches anywhere); its required
 * anti-affinity terms find none; and no pod already running has a required anti-affinity term that
 * the pod matches in the node's domain. Score: the pod's preferred terms (and those of the pods
 * already running, towards it) add or subtract their weights per domain, scaled to 0-100.
 */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + InterPodAffinity.NAME)
public final class InterPodAffinity implements PreFilter, Filter, PreScore, Score {
    public static final String NAME = "InterPodAffinity";
    static final String REASON_AFFINITY = "node(s) didn't match pod affinity rules";
    static final String REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
    static final String REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
    private static final String FILTER_STATE = NAME + "/filter";
    private static final String SCORE_STATE = NAME + "/score";

    /** Counts by {@code topologyKey + "\0" + value}. */
    private record FilterState(Map<String, Integer> existingAntiAffinity, Map<String, Integer>[] affinity, Map<String, Integer>[] antiAffinity,
            boolean noAffinityMatchAnywhere, boolean matchesOwnAffinity) {
    }

    @Override
    public String name() {
        return NAME;
    }

    private static String domain(String key, String value) {
        return key + '\0' + value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public PreFilterResult preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        List<NodeInfo> withAnti = cluster.nodesWithRequiredAntiAffinityPods();
        if (pod.requiredAffinity().isEmpty() && pod.requiredAntiAffinity().isEmpty() && withAnti.isEmpty()) {
            return PreFilterResult.skip();
        }
        Map<String, Integer> existing = new HashMap<>();
        for (NodeInfo node : withAnti) {
            for (PodInfo other : node.podsWithRequiredAntiAffinity()) {
                for (PodAffinityTerm term : other.requiredAntiAffinity()) {
                    String value = node.labels().get(term.topologyKey());
                    if (value != null && term.matches(other, pod)) {
                        existing.merge(domain(term.topologyKey(), value), 1, Integer::sum);
                    }
                }
            }
        }
        List<PodAffinityTerm> affinityTerms = pod.requiredAffinity();
        List<PodAffinityTerm> antiTerms = pod.requiredAntiAffinity();
        Map<String, Integer>[] affinity = new Map[affinityTerms.size()];
        Map<String, Integer>[] anti = new Map[antiTerms.size()];
        for (int i = 0; i < affinity.length; i++) {
            affinity[i] = new HashMap<>();
        }
        for (int i = 0; i < anti.length; i++) {
            anti[i] = new HashMap<>();
        }
        boolean anyAffinityMatch = false;
        if (affinity.length > 0 || anti.length > 0) {
            for (NodeInfo node : cluster.nodes()) {
                for (PodInfo other : node.pods()) {
                    for (int i = 0; i < affinity.length; i++) {
                        PodAffinityTerm term = affinityTerms.get(i);
                        if (term.matches(pod, other)) {
                            anyAffinityMatch = true;
                            String value = node.labels().get(term.topologyKey());
                            if (value != null) {
                                affinity[i].merge(value, 1, Integer::sum);
                            }
                        }
                    }
                    for (int i = 0; i < anti.length; i++) {
                        PodAffinityTerm term = antiTerms.get(i);
                        String value = node.labels().get(term.topologyKey());
                        if (value != null && term.matches(pod, other)) {
                            anti[i].merge(value, 1, Integer::sum);
                        }
                    }
                }
            }
        }
        boolean matchesOwn = !affinityTerms.isEmpty();
        for (PodAffinityTerm term : affinityTerms) {
            matchesOwn &= term.matches(pod, pod);
        }
        state.put(FILTER_STATE, new FilterState(existing, affinity, anti, !anyAffinityMatch, matchesOwn));
        return PreFilterResult.success();
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        FilterState s = state.get(FILTER_STATE);
        if (s == null) {
            return Status.success();
        }
        Map<String, String> labels = node.labels();
        if (!s.existingAntiAffinity().isEmpty()) {
            for (Map.Entry<String, String> label : labels.entrySet()) {
                if (s.existingAntiAffinity().containsKey(domain(label.getKey(), label.getValue()))) {
                    return Status.unschedulable(REASON_EXISTING_ANTI_AFFINITY);
                }
            }
        }
        List<PodAffinityTerm> affinityTerms = pod.requiredAffinity();
        if (!affinityTerms.isEmpty()) {
            boolean all = true;
            for (int i = 0; i < affinityTerms.size(); i++) {
                String value = labels.get(affinityTerms.get(i).topologyKey());
                if (value == null || s.affinity()[i].getOrDefault(value, 0) == 0) {
                    all = false;
                    break;
                }
            }
            if (!all) {
                // the first pod of a group that selects itself may go anywhere that has the keys
                boolean first = s.noAffinityMatchAnywhere() && s.matchesOwnAffinity();
                if (first) {
                    for (PodAffinityTerm term : affinityTerms) {
                        if (!labels.containsKey(term.topologyKey())) {
                            first = false;
                        }
                    }
                }
                if (!first) {
                    return Status.unresolvable(REASON_AFFINITY);
                }
            }
        }
        List<PodAffinityTerm> antiTerms = pod.requiredAntiAffinity();
        for (int i = 0; i < antiTerms.size(); i++) {
            String value = labels.get(antiTerms.get(i).topologyKey());
            if (value != null && s.antiAffinity()[i].getOrDefault(value, 0) > 0) {
                return Status.unschedulable(REASON_ANTI_AFFINITY);
            }
        }
        return Status.success();
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, ClusterSnapshot cluster, List<NodeInfo> feasibleNodes) {
        boolean own = !pod.preferredAffinity().isEmpty() || !pod.preferredAntiAffinity().isEmpty();
        List<NodeInfo> nodes = own ? cluster.nodes() : cluster.nodesWithAffinityPods();
        if (nodes.isEmpty()) {
            return Status.skip();
        }
        Map<String, Long> scores = new HashMap<>();
        for (NodeInfo node : nodes) {
            List<PodInfo> pods = own ? node.pods() : node.podsWithAffinity();
            for (PodInfo other : pods) {
                // the pod's own preferences towards the pods there
                for (PodAffinityTerm.Weighted w : pod.preferredAffinity()) {
                    add(scores, node, w.term(), w.term().matches(pod, other), w.weight());
                }
                for (PodAffinityTerm.Weighted w : pod.preferredAntiAffinity()) {
                    add(scores, node, w.term(), w.term().matches(pod, other), -w.weight());
                }
                // the running pods' preferences (and required affinity, weight 1) towards the pod
                if (other.hasPodAffinity()) {
                    for (PodAffinityTerm term : other.requiredAffinity()) {
                        add(scores, node, term, term.matches(other, pod), 1);
                    }
                    for (PodAffinityTerm.Weighted w : other.preferredAffinity()) {
                        add(scores, node, w.term(), w.term().matches(other, pod), w.weight());
                    }
                    for (PodAffinityTerm.Weighted w : other.preferredAntiAffinity()) {
                        add(scores, node, w.term(), w.term().matches(other, pod), -w.weight());
                    }
                }
            }
        }
        if (scores.isEmpty()) {
            return Status.skip();
        }
        state.put(SCORE_STATE, scores);
        return Status.success();
    }

    private static void add(Map<String, Long> scores, NodeInfo node, PodAffinityTerm term, boolean matches, long weight) {
        if (!matches || weight == 0) {
            return;
        }
        String value = node.labels().get(term.topologyKey());
        if (value != null) {
            scores.merge(domain(term.topologyKey(), value), weight, Long::sum);
        }
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        Map<String, Long> scores = state.get(SCORE_STATE);
        if (scores == null) {
            return 0;
        }
        long sum = 0;
        for (Map.Entry<String, String> label : node.labels().entrySet()) {
            Long score = scores.get(domain(label.getKey(), label.getValue()));
            if (score != null) {
                sum += score;
            }
        }
        return sum;
    }

    @Override
    public void normalize(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
        long max = Long.MIN_VALUE;
        long min = Long.MAX_VALUE;
        for (long s : scores) {
            max = Math.max(max, s);
            min = Math.min(min, s);
        }
        long diff = max - min;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = diff > 0 ? MAX_SCORE * (scores[i] - min) / diff : 0;
        }
    }
}
