package io.kubundle.scheduler.internal.plugins;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PreFilter;
import io.kubundle.api.scheduler.PreFilterResult;
import io.kubundle.api.scheduler.PreScore;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Score;
import io.kubundle.api.scheduler.Status;
import io.kubundle.api.scheduler.TopologySpreadConstraint;

/**
 * Pod topology spread. Filter ({@code whenUnsatisfiable: DoNotSchedule}): placing the pod must not
 * make the count of matching pods in the node's domain exceed the smallest domain's by more than
 * {@code maxSkew}; a node without the topology label does not fit. Score ({@code ScheduleAnyway}):
 * the fewer matching pods in the node's domains, the better.
 *
 * <p><b>Default spreading.</b> A pod with no constraints of its own that has a controller (a
 * ReplicaSet's, StatefulSet's or Job's pod...) is spread like kube-scheduler's system defaults:
 * {@code kubernetes.io/hostname} with maxSkew 3 and {@code topology.kubernetes.io/zone} with
 * maxSkew 5, both ScheduleAnyway, counting the pods of the same controller (Kubernetes counts the
 * pods its controllers' and services' selectors match; the same controller is what that selects
 * for a controller's replicas). So a Deployment's replicas spread across nodes (and zones) when
 * nothing else decides.
 */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + PodTopologySpread.NAME)
public final class PodTopologySpread implements PreFilter, Filter, PreScore, Score {
    public static final String NAME = "PodTopologySpread";
    public static final String HOSTNAME = "kubernetes.io/hostname";
    public static final String ZONE = "topology.kubernetes.io/zone";
    static final String REASON = "node(s) didn't match pod topology spread constraints";
    static final String REASON_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
    private static final String FILTER_STATE = NAME + "/filter";
    private static final String SCORE_STATE = NAME + "/score";

    /** One constraint as evaluated: which pods count, and the counts per domain. */
    private record Counted(String topologyKey, int maxSkew, int minDomains, Predicate<PodInfo> matches, boolean selfMatch,
            Map<String, Integer> counts, double weight) {
        int minCount() {
            if (counts.size() < minDomains) {
                return 0;
            }
            int min = Integer.MAX_VALUE;
            for (int count : counts.values()) {
                min = Math.min(min, count);
            }
            return min == Integer.MAX_VALUE ? 0 : min;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster) {
        List<TopologySpreadConstraint> hard = new ArrayList<>();
        for (TopologySpreadConstraint constraint : pod.topologySpreadConstraints()) {
            if (constraint.isHard()) {
                hard.add(constraint);
            }
        }
        if (hard.isEmpty()) {
            return PreFilterResult.skip();
        }
        List<Counted> counted = new ArrayList<>();
        for (TopologySpreadConstraint constraint : hard) {
            Predicate<PodInfo> matches = selectorMatcher(pod, constraint);
            counted.add(new Counted(constraint.topologyKey(), constraint.maxSkew(), Math.max(1, constraint.minDomains()), matches,
                    matches.test(pod), new HashMap<>(), 1));
        }
        // domains are the values of nodes the pod could go to (node affinity and selector), with every key
        for (NodeInfo node : cluster.nodes()) {
            if (!NodeAffinity.matches(pod, node) || !hasAllKeys(node, counted)) {
                continue;
            }
            for (Counted c : counted) {
                String domain = node.labels().get(c.topologyKey());
                int matching = count(node, c.matches());
                c.counts().merge(domain, matching, Integer::sum);
            }
        }
        state.put(FILTER_STATE, counted);
        return PreFilterResult.success();
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<Counted> counted = state.get(FILTER_STATE);
        if (counted == null) {
            return Status.success();
        }
        for (Counted c : counted) {
            String domain = node.labels().get(c.topologyKey());
            if (domain == null) {
                return Status.unresolvable(REASON_MISSING_LABEL);
            }
            int count = c.counts().getOrDefault(domain, 0);
            int skew = count + (c.selfMatch() ? 1 : 0) - c.minCount();
            if (skew > c.maxSkew()) {
                return Status.unschedulable(REASON);
            }
        }
        return Status.success();
    }

    @Override
    public Status preScore(CycleState state, PodInfo pod, ClusterSnapshot cluster, List<NodeInfo> feasibleNodes) {
        List<Counted> soft = new ArrayList<>();
        boolean defaults = pod.topologySpreadConstraints().isEmpty();
        if (defaults) {
            if (pod.controller() == null) {
                return Status.skip();
            }
            String controller = pod.controller().uid();
            String namespace = pod.namespace();
            Predicate<PodInfo> sameController = other -> other.controller() != null && controller.equals(other.controller().uid())
                    && namespace.equals(other.namespace());
            soft.add(new Counted(HOSTNAME, 3, 1, sameController, true, new HashMap<>(), 0));
            soft.add(new Counted(ZONE, 5, 1, sameController, true, new HashMap<>(), 0));
        } else {
            for (TopologySpreadConstraint constraint : pod.topologySpreadConstraints()) {
                if (!constraint.isHard()) {
                    Predicate<PodInfo> matches = selectorMatcher(pod, constraint);
                    soft.add(new Counted(constraint.topologyKey(), constraint.maxSkew(), 1, matches, matches.test(pod), new HashMap<>(), 0));
                }
            }
        }
        if (soft.isEmpty()) {
            return Status.skip();
        }
        // the hostname domain is the node itself: count the feasible nodes; other keys over the feasible nodes' domains
        Set<String> domainsWanted = new HashSet<>();
        for (NodeInfo node : feasibleNodes) {
            for (Counted c : soft) {
                String value = node.labels().get(c.topologyKey());
                if (value != null) {
                    domainsWanted.add(c.topologyKey() + "=" + value);
                }
            }
        }
        List<Counted> used = new ArrayList<>();
        for (Counted c : soft) {
            boolean anyDomain = domainsWanted.stream().anyMatch(d -> d.startsWith(c.topologyKey() + "="));
            if (!anyDomain && defaults) {
                // no node carries the key (no zones here): the default constraint has nothing to spread over
                continue;
            }
            used.add(c);
        }
        if (used.isEmpty()) {
            return Status.skip();
        }
        List<Counted> weighted = new ArrayList<>();
        for (Counted c : used) {
            Map<String, Integer> counts = new HashMap<>();
            if (c.topologyKey().equals(HOSTNAME)) {
                for (NodeInfo node : feasibleNodes) {
                    counts.put(node.labels().getOrDefault(HOSTNAME, node.name()), count(node, c.matches()));
                }
            } else {
                // a zone's count takes every node of the zone the pod could go to, not only the feasible ones
                for (NodeInfo node : feasibleNodes) {
                    String value = node.labels().get(c.topologyKey());
                    if (value != null) {
                        counts.putIfAbsent(value, 0);
                    }
                }
                for (NodeInfo node : cluster.nodes()) {
                    String value = node.labels().get(c.topologyKey());
                    if (value != null && counts.containsKey(value) && NodeAffinity.matches(pod, node)) {
                        counts.merge(value, count(node, c.matches()), Integer::sum);
                    }
                }
            }
            weighted.add(new Counted(c.topologyKey(), c.maxSkew(), 1, c.matches(), c.selfMatch(), counts,
                    Math.log(counts.size() + 2)));
        }
        state.put(SCORE_STATE, weighted);
        return Status.success();
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        List<Counted> weighted = state.get(SCORE_STATE);
        if (weighted == null) {
            return 0;
        }
        double score = 0;
        for (Counted c : weighted) {
            String value = c.topologyKey().equals(HOSTNAME) ? node.labels().getOrDefault(HOSTNAME, node.name())
                    : node.labels().get(c.topologyKey());
            if (value == null) {
                continue;
            }
            Integer count = c.counts().get(value);
            if (count == null) {
                continue;
            }
            score += (count + c.maxSkew() - 1) * c.weight();
        }
        return Math.round(score * 1000);
    }

    @Override
    public void normalize(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
        long max = Long.MIN_VALUE;
        long min = Long.MAX_VALUE;
        for (long s : scores) {
            max = Math.max(max, s);
            min = Math.min(min, s);
        }
        for (int i = 0; i < scores.length; i++) {
            scores[i] = max == 0 ? MAX_SCORE : MAX_SCORE * (max + min - scores[i]) / max;
        }
    }

    private static Predicate<PodInfo> selectorMatcher(PodInfo pod, TopologySpreadConstraint constraint) {
        String namespace = pod.namespace();
        return other -> constraint.selector() != null && namespace.equals(other.namespace())
                && constraint.selector().matches(other.labels());
    }

    private static boolean hasAllKeys(NodeInfo node, List<Counted> counted) {
        for (Counted c : counted) {
            if (!node.labels().containsKey(c.topologyKey())) {
                return false;
            }
        }
        return true;
    }

    private static int count(NodeInfo node, Predicate<PodInfo> matches) {
        int count = 0;
        List<PodInfo> pods = node.pods();
        for (int i = 0; i < pods.size(); i++) {
            if (matches.test(pods.get(i))) {
                count++;
            }
        }
        return count;
    }
}
