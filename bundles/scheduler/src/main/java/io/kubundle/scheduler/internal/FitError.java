package io.kubundle.scheduler.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.kubundle.api.scheduler.Status;

/**
 * Why a pod fits no node, in kube-scheduler's words:
 * {@code 0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
 * 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling,
 * 2 No preemption victims found for incoming pod..} (the double stop is kube-scheduler's too).
 */
record FitError(int numAllNodes, Map<String, Status> nodeStatuses, String preFilterMessage, String postFilterMessage) {
    FitError {
        nodeStatuses = Collections.unmodifiableMap(nodeStatuses);
    }

    String message() {
        StringBuilder message = new StringBuilder("0/" + numAllNodes + " nodes are available:");
        if (preFilterMessage != null && !preFilterMessage.isEmpty()) {
            message.append(' ').append(preFilterMessage).append('.');
        } else {
            String histogram = histogram(nodeStatuses);
            if (!histogram.isEmpty()) {
                message.append(' ').append(histogram).append('.');
            }
        }
        if (postFilterMessage != null && !postFilterMessage.isEmpty()) {
            message.append(' ').append(postFilterMessage).append('.');
        }
        return message.toString();
    }

    /** "N reason" for every reason across the statuses, sorted as strings, joined with ", ". */
    static String histogram(Map<String, Status> statuses) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Status status : statuses.values()) {
            for (String reason : status.reasons()) {
                counts.merge(reason, 1, Integer::sum);
            }
        }
        List<String> entries = new ArrayList<>();
        counts.forEach((reason, count) -> entries.add(count + " " + reason));
        Collections.sort(entries);
        return String.join(", ", entries);
    }
}
