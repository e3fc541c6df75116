package io.kubundle.scheduler.internal.plugins;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.scheduler.ClusterSnapshot;
import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Filter;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;
import io.kubundle.api.scheduler.PostFilter;
import io.kubundle.api.scheduler.PostFilterResult;
import io.kubundle.api.scheduler.SchedulerPlugin;
import io.kubundle.api.scheduler.Status;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.scheduler.internal.ApiWrites;

/**
 * Preemption, kube-scheduler's DefaultPreemption in its simple form: on each node where removing
 * pods could help (its filter status is resolvable), it takes away every pod of lower priority,
 * checks the pod would then fit, and gives back as many of them as it can, highest priority first;
 * the node needing the fewest victims (then the lowest-priority ones) wins, its victims are
 * deleted (each with a Preempted event) and the pod's {@code status.nominatedNodeName} set; the pod
 * is tried again once they are gone. When no node qualifies it says why, per node, in
 * kube-scheduler's words ({@code preemption: 0/3 nodes are available: 1 Preemption is not helpful
 * for scheduling, 2 No preemption victims found for incoming pod.}). Not considered:
 * PodDisruptionBudgets, and pods nominated to a node before.
 */
@Component(service = SchedulerPlugin.class, property = SchedulerPlugin.NAME_PROPERTY + "=" + DefaultPreemption.NAME)
public final class DefaultPreemption implements PostFilter {
    public static final String NAME = "DefaultPreemption";
    static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
    static final String NO_VICTIMS = "No preemption victims found for incoming pod";
    private static final System.Logger LOG = System.getLogger(DefaultPreemption.class.getName());

    /** Carries out a preemption: deletes the victims, nominates the node. */
    public interface Evictor {
        void preempt(PodInfo preemptor, String node, List<PodInfo> victims);
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private Evictor evictor;
    private ExecutorService executor;

    public DefaultPreemption() {
    }

    public DefaultPreemption(Evictor evictor) {
        this.evictor = evictor;
    }

    @Activate
    void activate() {
        ApiWrites api = new ApiWrites(transport);
        ObjectMapper json = new ObjectMapper();
        executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "scheduler-preemption");
            thread.setDaemon(true);
            return thread;
        });
        evictor = (preemptor, node, victims) -> executor.execute(() -> {
            for (PodInfo victim : victims) {
                try {
                    api.deletePod(victim.namespace(), victim.name(), victim.uid());
                    api.event(victim, "Normal", "Preempted", "Preempted by pod " + preemptor.uid() + " on node " + node,
                            preemptor.schedulerName());
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "preemption: victim {0} not deleted: {1}", victim, e.getMessage());
                }
            }
            try {
                ObjectNode patch = json.createObjectNode();
                patch.putObject("status").put("nominatedNodeName", node);
                api.patchStatus(preemptor.namespace(), preemptor.name(), patch);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "preemption: {0} not nominated: {1}", preemptor, e.getMessage());
            }
        });
    }

    @Deactivate
    void deactivate() {
        if (executor != null) {
            executor.shutdown();
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    private record Candidate(String node, List<PodInfo> victims) {
        int highestVictimPriority() {
            int max = Integer.MIN_VALUE;
            for (PodInfo victim : victims) {
                max = Math.max(max, victim.priority());
            }
            return max;
        }
    }

    @Override
    public PostFilterResult postFilter(CycleState state, PodInfo pod, ClusterSnapshot cluster, Map<String, Status> nodeStatuses,
            Filter filters) {
        if ("Never".equals(preemptionPolicy(pod))) {
            return PostFilterResult.of(Status.unschedulable("not eligible due to preemptionPolicy=Never."));
        }
        Map<String, Status> why = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        for (Map.Entry<String, Status> entry : nodeStatuses.entrySet()) {
            if (entry.getValue().code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                why.put(entry.getKey(), Status.unresolvable(NOT_HELPFUL));
                continue;
            }
            NodeInfo node = cluster.node(entry.getKey());
            if (node == null) {
                continue;
            }
            List<PodInfo> lower = new ArrayList<>();
            NodeInfo without = node;
            for (PodInfo other : node.pods()) {
                if (other.priority() < pod.priority()) {
                    lower.add(other);
                    without = without.withoutPod(other.uid());
                }
            }
            if (lower.isEmpty()) {
                why.put(entry.getKey(), Status.unresolvable(NO_VICTIMS));
                continue;
            }
            Status fits = filters.filter(state.copy(), pod, without);
            if (!fits.isSuccess()) {
                why.put(entry.getKey(), fits);
                continue;
            }
            // give back as many as possible, the most important first
            lower.sort(Comparator.comparingInt(PodInfo::priority).reversed());
            List<PodInfo> victims = new ArrayList<>();
            for (PodInfo candidate : lower) {
                NodeInfo back = without.withPod(candidate);
                if (filters.filter(state.copy(), pod, back).isSuccess()) {
                    without = back;
                } else {
                    victims.add(candidate);
                }
            }
            candidates.add(new Candidate(entry.getKey(), victims));
        }
        if (candidates.isEmpty()) {
            return PostFilterResult.of(Status.unschedulable("preemption: 0/" + cluster.nodes().size() + " nodes are available: "
                    + histogram(why) + "."));
        }
        candidates.sort(Comparator.comparingInt((Candidate c) -> c.victims().size()).thenComparingInt(Candidate::highestVictimPriority)
                .thenComparing(Candidate::node));
        Candidate chosen = candidates.get(0);
        evictor.preempt(pod, chosen.node(), chosen.victims());
        return PostFilterResult.nominate(chosen.node());
    }

    private static String preemptionPolicy(PodInfo pod) {
        Object spec = pod.object().get("spec");
        return spec instanceof Map<?, ?> map && map.get("preemptionPolicy") != null ? String.valueOf(map.get("preemptionPolicy")) : null;
    }

    private static String histogram(Map<String, Status> statuses) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Status status : statuses.values()) {
            for (String reason : status.reasons()) {
                counts.merge(reason, 1, Integer::sum);
            }
        }
        List<String> entries = new ArrayList<>();
        counts.forEach((reason, count) -> entries.add(count + " " + reason));
        java.util.Collections.sort(entries);
        return String.join(", ", entries);
    }
}
