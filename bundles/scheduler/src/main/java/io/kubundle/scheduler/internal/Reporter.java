package io.kubundle.scheduler.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.scheduler.PodInfo;

/**
 * What the scheduler tells about its decisions, off the scheduling thread: Scheduled and
 * FailedScheduling events, and the pod's {@code PodScheduled=False} condition with reason
 * Unschedulable (or SchedulerError) and the message. Events are best effort, as Kubernetes'
 * event broadcaster: at most {@link #EVENT_BACKLOG} wait, more are dropped (counted). Status
 * updates are not dropped, and are skipped when the pod already says the same.
 */
final class Reporter implements AutoCloseable {
    static final int EVENT_BACKLOG = 1000;
    private static final System.Logger LOG = System.getLogger(Reporter.class.getName());

    private final ApiWrites api;
    private final ObjectMapper json = new ObjectMapper();
    private final ThreadPoolExecutor events;
    private final ThreadPoolExecutor statuses;
    private final AtomicLong droppedEvents = new AtomicLong();
    /** uid -> the last condition message written, so the same one is not written again. */
    private final Map<String, String> lastCondition = new ConcurrentHashMap<>();

    Reporter(ApiWrites api) {
        this.api = api;
        this.events = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(EVENT_BACKLOG),
                daemon("scheduler-events"), (task, executor) -> droppedEvents.incrementAndGet());
        this.statuses = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                daemon("scheduler-status"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    void scheduled(PodInfo pod, String node, String component) {
        lastCondition.remove(pod.uid());
        event(pod, "Normal", "Scheduled", "Successfully assigned " + pod.namespace() + "/" + pod.name() + " to " + node, component);
    }

    /**
     * The attempt failed: a FailedScheduling event, and the PodScheduled condition.
     *
     * @param reason {@code Unschedulable} (no node fits) or {@code SchedulerError}
     */
    void failed(PodInfo pod, String reason, String message, String component) {
        event(pod, "Warning", "FailedScheduling", message, component);
        String key = reason + "\n" + message;
        if (key.equals(lastCondition.get(pod.uid()))) {
            return;
        }
        lastCondition.put(pod.uid(), key);
        statuses.execute(() -> {
            ObjectNode patch = json.createObjectNode();
            ArrayNode conditions = patch.putObject("status").putArray("conditions");
            conditions.addObject().put("type", "PodScheduled").put("status", "False").put("reason", reason).put("message", message)
                    .putNull("lastProbeTime").put("lastTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            try {
                api.patchStatus(pod.namespace(), pod.name(), patch);
            } catch (Exception e) {
                lastCondition.remove(pod.uid());
                LOG.log(System.Logger.Level.DEBUG, "status of {0} not updated: {1}", pod, e.getMessage());
            }
        });
    }

    void forget(String uid) {
        lastCondition.remove(uid);
    }

    private void event(PodInfo pod, String type, String reason, String message, String component) {
        events.execute(() -> {
            try {
                api.event(pod, type, reason, message, component);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "event {0} for {1} not written: {2}", reason, pod, e.getMessage());
            }
        });
    }

    long droppedEvents() {
        return droppedEvents.get();
    }

    @Override
    public void close() {
        events.shutdown();
        statuses.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
            statuses.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.shutdownNow();
        statuses.shutdownNow();
    }
}
