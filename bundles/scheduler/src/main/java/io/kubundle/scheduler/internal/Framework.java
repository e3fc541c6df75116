package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PostFilter;
import io.kubundle.api.scheduler.PostFilterResult;
import io.kubundle.api.scheduler.PreFilter;
import io.kubundle.api.scheduler.PreFilterResult;
import io.kubundle.api.scheduler.PreScore;
import io.kubundle.api.scheduler.Score;
import io.kubundle.api.scheduler.Status;

/**
 * One scheduling decision (kube-scheduler's {@code schedulePod}): PreFilter, Filter over the
 * nodes (starting where the last attempt stopped, and stopping once enough feasible nodes are
 * found: {@link #numFeasibleNodesToFind}), PostFilter when none fits, PreScore, Score, normalise,
 * weigh, and the highest total wins (ties at random). No side effects but the plugins' own and the
 * rotating start index. Used on the scheduling thread only.
 */
final class Framework {
    static final String NO_NODES = "no nodes available to schedule pods";
    private static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
    private static final int MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

    /** The outcome: a node, or why none (a FitError, or an error status). */
    record Decision(String node, int evaluatedNodes, int feasibleNodes, FitError fitError, Status error, String nominatedNode) {
        boolean scheduled() {
            return node != null;
        }

        String message() {
            return fitError != null ? fitError.message() : error != null ? error.message() : "";
        }
    }

    private int nextStartNodeIndex;
    private final int globalPercentage;

    Framework(int percentageOfNodesToScore) {
        this.globalPercentage = percentageOfNodesToScore;
    }

    /** kube-scheduler's adaptive sample: all below 100 nodes, else 50% - n/125 (at least 5%, at least 100 nodes). */
    static int numFeasibleNodesToFind(int percentage, int numAllNodes) {
        if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) {
            return numAllNodes;
        }
        if (percentage == 0) {
            percentage = 50 - numAllNodes / 125;
            if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) {
                percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
            }
        }
        int numNodes = (int) ((long) numAllNodes * percentage / 100);
        return Math.max(numNodes, MIN_FEASIBLE_NODES_TO_FIND);
    }

    Decision schedule(Profile profile, PodInfo pod, Snapshot snapshot, CycleState state) {
        int all = snapshot.size();
        if (all == 0) {
            return new Decision(null, 0, 0, null, Status.unresolvable(NO_NODES), null);
        }
        // PreFilter
        Set<String> skipped = null;
        Set<String> allowed = null;
        for (PreFilter plugin : profile.preFilters) {
            PreFilterResult result;
            try {
                result = plugin.preFilter(state, pod, snapshot);
            } catch (RuntimeException e) {
                return error(plugin.name(), e);
            }
            Status status = result.status();
            if (status.isSkip()) {
                skipped = skipped == null ? new HashSet<>() : skipped;
                skipped.add(plugin.name());
                continue;
            }
            if (status.isRejected()) {
                Map<String, Status> statuses = new HashMap<>();
                Status marked = status.withPlugin(plugin.name());
                for (NodeInfo node : snapshot.nodes()) {
                    statuses.put(node.name(), marked);
                }
                return failed(profile, pod, snapshot, state, statuses, status.message(), active(profile.filters, skipped, Filter[]::new));
            }
            if (!status.isSuccess()) {
                return new Decision(null, 0, 0, null, status.withPlugin(plugin.name()), null);
            }
            if (result.nodeNames() != null) {
                if (allowed == null) {
                    allowed = new HashSet<>(result.nodeNames());
                } else {
                    allowed.retainAll(result.nodeNames());
                }
            }
        }
        Filter[] filters = active(profile.filters, skipped, Filter[]::new);
        CombinedFilter combined = new CombinedFilter(filters);

        // Filter
        Map<String, Status> statuses = new HashMap<>();
        List<NodeInfo> feasible;
        int evaluated;
        if (allowed != null) {
            feasible = new ArrayList<>();
            evaluated = 0;
            for (int i = 0; i < all; i++) {
                NodeInfo node = snapshot.get(i);
                if (!allowed.contains(node.name())) {
                    statuses.put(node.name(), Status.unresolvable("node(s) didn't satisfy plugin(s) [PreFilter result]"));
                    continue;
                }
                evaluated++;
                Status status = combined.filter(state, pod, node);
                if (status.isSuccess()) {
                    feasible.add(node);
                } else if (status.code() == Status.Code.ERROR) {
                    return new Decision(null, evaluated, 0, null, status, null);
                } else {
                    statuses.put(node.name(), status);
                }
            }
        } else {
            int percentage = profile.percentageOfNodesToScore != null ? profile.percentageOfNodesToScore : globalPercentage;
            int wanted = numFeasibleNodesToFind(percentage, all);
            feasible = new ArrayList<>(Math.min(wanted, all));
            int start = nextStartNodeIndex % all;
            evaluated = 0;
            for (int i = 0; i < all && feasible.size() < wanted; i++) {
                NodeInfo node = snapshot.get((start + i) % all);
                evaluated++;
                Status status = filters.length == 0 ? Status.success() : combined.filter(state, pod, node);
                if (status.isSuccess()) {
                    feasible.add(node);
                } else if (status.code() == Status.Code.ERROR) {
                    return new Decision(null, evaluated, 0, null, status, null);
                } else {
                    statuses.put(node.name(), status);
                }
            }
            nextStartNodeIndex = (start + evaluated) % all;
        }
        if (feasible.isEmpty()) {
            return failed(profile, pod, snapshot, state, statuses, null, filters);
        }
        if (feasible.size() == 1) {
            return new Decision(feasible.get(0).name(), evaluated, 1, null, null, null);
        }

        // PreScore and Score
        Set<String> skipScore = null;
        for (PreScore plugin : profile.preScores) {
            Status status;
            try {
                status = plugin.preScore(state, pod, snapshot, feasible);
            } catch (RuntimeException e) {
                return error(plugin.name(), e);
            }
            if (status.isSkip()) {
                skipScore = skipScore == null ? new HashSet<>() : skipScore;
                skipScore.add(plugin.name());
            } else if (!status.isSuccess()) {
                return new Decision(null, evaluated, feasible.size(), null, status.withPlugin(plugin.name()), null);
            }
        }
        int n = feasible.size();
        long[] totals = new long[n];
        long[] scores = new long[n];
        for (int p = 0; p < profile.scores.size(); p++) {
            Score plugin = profile.scores.get(p);
            long weight = profile.scoreWeights[p];
            if (weight == 0 || (skipScore != null && skipScore.contains(plugin.name()))) {
                continue;
            }
            try {
                for (int i = 0; i < n; i++) {
                    scores[i] = plugin.score(state, pod, feasible.get(i));
                }
                plugin.normalize(state, pod, feasible, scores);
            } catch (RuntimeException e) {
                return error(plugin.name(), e);
            }
            for (int i = 0; i < n; i++) {
                long score = scores[i];
                if (score < Score.MIN_SCORE || score > Score.MAX_SCORE) {
                    return new Decision(null, evaluated, n, null, Status.error("plugin " + plugin.name() + " scored node "
                            + feasible.get(i).name() + " " + score + ", outside [0, 100]").withPlugin(plugin.name()), null);
                }
                totals[i] += score * weight;
            }
        }
        return new Decision(selectHost(feasible, totals), evaluated, n, null, null, null);
    }

    /** The node with the highest total; among equals, one at random (reservoir sampling). */
    static String selectHost(List<NodeInfo> nodes, long[] totals) {
        int best = 0;
        int ties = 1;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 1; i < totals.length; i++) {
            if (totals[i] > totals[best]) {
                best = i;
                ties = 1;
            } else if (totals[i] == totals[best]) {
                ties++;
                if (random.nextInt(ties) == 0) {
                    best = i;
                }
            }
        }
        return nodes.get(best).name();
    }

    private Decision failed(Profile profile, PodInfo pod, Snapshot snapshot, CycleState state, Map<String, Status> statuses,
            String preFilterMessage, Filter[] activeFilters) {
        String postFilterMessage = null;
        String nominated = null;
        CombinedFilter filters = new CombinedFilter(activeFilters);
        for (PostFilter plugin : profile.postFilters) {
            PostFilterResult result;
            try {
                result = plugin.postFilter(state, pod, snapshot, statuses, filters);
            } catch (RuntimeException e) {
                postFilterMessage = plugin.name() + ": " + e;
                break;
            }
            if (result.status().isSuccess() && result.nominatedNodeName() != null) {
                nominated = result.nominatedNodeName();
                break;
            }
            if (!result.status().isSuccess() && !result.status().message().isEmpty()) {
                postFilterMessage = result.status().message();
            }
        }
        return new Decision(null, snapshot.size(), 0, new FitError(snapshot.size(), statuses, preFilterMessage, postFilterMessage), null,
                nominated);
    }

    private static Decision error(String plugin, RuntimeException e) {
        return new Decision(null, 0, 0, null, Status.error("plugin " + plugin + " failed: " + e).withPlugin(plugin), null);
    }

    private static <T extends io.kubundle.api.scheduler.SchedulerPlugin> T[] active(List<T> plugins, Set<String> skipped,
            java.util.function.IntFunction<T[]> array) {
        if (skipped == null) {
            return plugins.toArray(array);
        }
        List<T> kept = new ArrayList<>(plugins.size());
        for (T plugin : plugins) {
            if (!skipped.contains(plugin.name())) {
                kept.add(plugin);
            }
        }
        return kept.toArray(array);
    }

    /** The profile's filters in order as one: the first rejection wins; an exception is an error. */
    static final class CombinedFilter implements Filter {
        private final Filter[] filters;

        CombinedFilter(Filter[] filters) {
            this.filters = filters;
        }

        @Override
        public String name() {
            return "filters";
        }

        @Override
        public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
            for (Filter filter : filters) {
                Status status;
                try {
                    status = filter.filter(state, pod, node);
                } catch (RuntimeException e) {
                    return Status.error("plugin " + filter.name() + " failed: " + e).withPlugin(filter.name());
                }
                if (!status.isSuccess()) {
                    return status.withPlugin(filter.name());
                }
            }
            return Status.success();
        }
    }
}
