package io.kubundle.controller.job.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.kubundle.controller.support.Pods;

/**
 * What the Job controller decides for one Job, from the Job and the pods it controls, without
 * touching the API: the status to write, the pods to create (and, for an Indexed Job, their
 * indexes) and delete, the events, whether the Job itself goes (TTL after finishing), and when
 * to look again. Level-based: the same inputs give the same plan.
 */
record JobPlan(JobStatus status, int create, List<Integer> createIndexes, List<Pod> delete, List<Event> events, boolean deleteJob,
        Duration requeue) {

    /** The label and annotation that carry an Indexed Job's pod's index. */
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

    /** An event to record about the Job. */
    record Event(boolean warning, String reason, String message) {
    }

    /**
     * @param pods the pods the Job controls (from the cache)
     * @param mayManage false while earlier creations or deletions are not yet seen in the cache:
     *     then nothing is created or deleted to keep counts (finishing still deletes)
     */
    static JobPlan decide(Job job, List<Pod> pods, Instant now, Backoff backoff, boolean mayManage) {
        JobSpec spec = job.getSpec();
        JobStatus old = job.getStatus() == null ? new JobStatus() : job.getStatus();
        JobStatus status = new JobStatusBuilder(old).build();
        List<JobCondition> conditions = status.getConditions() == null ? new ArrayList<>() : new ArrayList<>(status.getConditions());
        status.setConditions(conditions);
        List<Event> events = new ArrayList<>();
        String nowText = now.truncatedTo(ChronoUnit.SECONDS).toString();

        List<Pod> active = new ArrayList<>();
        List<Pod> succeededPods = new ArrayList<>();
        List<Pod> failedPods = new ArrayList<>();
        for (Pod pod : pods) {
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if ("Succeeded".equals(phase)) {
                succeededPods.add(pod);
            } else if ("Failed".equals(phase)) {
                failedPods.add(pod);
            } else if (Pods.isActive(pod)) {
                active.add(pod);
            }
        }
        boolean indexed = "Indexed".equals(spec.getCompletionMode());
        Integer completions = spec.getCompletions();
        int parallelism = spec.getParallelism() == null ? 1 : Math.max(0, spec.getParallelism());

        // counts only grow: a finished pod deleted by someone stays counted
        int failed = Math.max(orZero(old.getFailed()), failedPods.size());
        int succeeded;
        BitSet completed = new BitSet();
        if (indexed && completions != null) {
            completed = IndexSet.parse(old.getCompletedIndexes(), completions);
            for (Pod pod : succeededPods) {
                int index = completionIndex(pod);
                if (index >= 0 && index < completions) {
                    completed.set(index);
                }
            }
            succeeded = completed.cardinality();
            status.setCompletedIndexes(IndexSet.format(completed));
        } else {
            succeeded = Math.max(orZero(old.getSucceeded()), succeededPods.size());
        }
        status.setSucceeded(succeeded);
        status.setFailed(failed);

        JobCondition finished = finishedCondition(old);
        if (finished != null) {
            status.setActive(active.size());
            status.setReady(countReady(active));
            return new JobPlan(status, 0, List.of(), active, events, false, null).withTtl(job, finished, now);
        }

        boolean suspended = Boolean.TRUE.equals(spec.getSuspend());
        JobCondition suspendedCondition = find(conditions, "Suspended");
        if (suspended) {
            if (suspendedCondition == null || !"True".equals(suspendedCondition.getStatus())) {
                setCondition(conditions, "Suspended", "JobSuspended", "Job suspended", nowText);
                events.add(new Event(false, "Suspended", "Job suspended"));
            }
            status.setStartTime(null);
            status.setActive(0);
            status.setReady(0);
            return new JobPlan(status, 0, List.of(), active, events, false, null);
        }
        if (suspendedCondition != null && "True".equals(suspendedCondition.getStatus())) {
            conditions.remove(suspendedCondition);
            conditions.add(condition("Suspended", "False", "JobResumed", "Job resumed", nowText));
            events.add(new Event(false, "Resumed", "Job resumed"));
        }
        if (status.getStartTime() == null) {
            status.setStartTime(nowText);
        }
        Instant start = Instant.parse(status.getStartTime());

        int backoffLimit = spec.getBackoffLimit() == null ? 6 : spec.getBackoffLimit();
        String failReason = null;
        String failMessage = null;
        if (failed > backoffLimit) {
            failReason = "BackoffLimitExceeded";
            failMessage = "Job has reached the specified backoff limit";
        } else if (spec.getActiveDeadlineSeconds() != null && !now.isBefore(start.plusSeconds(spec.getActiveDeadlineSeconds()))) {
            failReason = "DeadlineExceeded";
            failMessage = "Job was active longer than specified deadline";
        }
        if (failReason != null) {
            JobCondition failedCondition = setCondition(conditions, "Failed", failReason, failMessage, nowText);
            events.add(new Event(true, failReason, failMessage));
            status.setActive(0);
            status.setReady(0);
            return new JobPlan(status, 0, List.of(), active, events, false, null).withTtl(job, failedCondition, now);
        }

        boolean complete = completions == null ? succeeded > 0 && active.isEmpty() : succeeded >= completions;
        if (complete) {
            JobCondition completeCondition = setCondition(conditions, "Complete", "CompletionsReached",
                    "Reached expected number of succeeded pods", nowText);
            status.setCompletionTime(nowText);
            status.setActive(0);
            status.setReady(0);
            events.add(new Event(false, "Completed", "Job completed"));
            return new JobPlan(status, 0, List.of(), active, events, false, null).withTtl(job, completeCondition, now);
        }

        List<Pod> delete = new ArrayList<>();
        List<Integer> createIndexes = new ArrayList<>();
        int create = 0;
        if (indexed && completions != null) {
            Map<Integer, Pod> byIndex = new HashMap<>();
            for (Pod pod : preferredFirst(active)) {
                int index = completionIndex(pod);
                if (index < 0 || index >= completions || completed.get(index) || byIndex.containsKey(index)) {
                    delete.add(pod);
                } else {
                    byIndex.put(index, pod);
                }
            }
            List<Integer> running = byIndex.keySet().stream().sorted(Comparator.reverseOrder()).toList();
            for (int i = 0; i < running.size() - parallelism; i++) {
                delete.add(byIndex.get(running.get(i)));
            }
            int room = parallelism - Math.min(parallelism, running.size());
            for (int index = completed.nextClearBit(0); index < completions && createIndexes.size() < room;
                    index = completed.nextClearBit(index + 1)) {
                if (!byIndex.containsKey(index)) {
                    createIndexes.add(index);
                }
            }
            create = createIndexes.size();
        } else {
            int want = completions == null ? (succeeded > 0 ? Math.min(active.size(), parallelism) : parallelism)
                    : Math.min(parallelism, completions - succeeded);
            want = Math.max(0, want);
            if (active.size() > want) {
                delete.addAll(surplus(active, active.size() - want));
            } else {
                create = want - active.size();
            }
        }

        Duration requeue = null;
        if (create > 0) {
            Duration wait = backoff.remaining(failedPods, succeededPods, now);
            if (!wait.isZero()) {
                create = 0;
                createIndexes = List.of();
                requeue = wait;
            }
        }
        if (!mayManage) {
            create = 0;
            createIndexes = List.of();
            delete = List.of();
        }
        if (spec.getActiveDeadlineSeconds() != null) {
            requeue = earliest(requeue, Duration.between(now, start.plusSeconds(spec.getActiveDeadlineSeconds())));
        }
        List<Pod> staying = new ArrayList<>(active);
        staying.removeAll(delete);
        status.setActive(staying.size() + create);
        status.setReady(countReady(staying));
        return new JobPlan(status, create, createIndexes, delete, events, false, requeue);
    }

    /** After finishing: the Job goes {@code ttlSecondsAfterFinished} after its finishing condition. */
    private JobPlan withTtl(Job job, JobCondition finished, Instant now) {
        Long ttl = job.getSpec().getTtlSecondsAfterFinished() == null ? null : job.getSpec().getTtlSecondsAfterFinished().longValue();
        if (ttl == null) {
            return this;
        }
        String at = status.getCompletionTime() != null ? status.getCompletionTime() : finished.getLastTransitionTime();
        Instant expires = (at == null ? now : Instant.parse(at)).plusSeconds(ttl);
        if (!now.isBefore(expires)) {
            return new JobPlan(status, 0, List.of(), delete, events, true, null);
        }
        return new JobPlan(status, 0, List.of(), delete, events, false, Duration.between(now, expires));
    }

    /** The index of an Indexed Job's pod (annotation, else label), or -1. */
    static int completionIndex(Pod pod) {
        String value = null;
        if (pod.getMetadata().getAnnotations() != null) {
            value = pod.getMetadata().getAnnotations().get(COMPLETION_INDEX);
        }
        if (value == null && pod.getMetadata().getLabels() != null) {
            value = pod.getMetadata().getLabels().get(COMPLETION_INDEX);
        }
        try {
            return value == null ? -1 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** When a finished pod finished: its containers' last finishedAt, else when it was created. */
    static Instant finishTime(Pod pod) {
        Instant latest = null;
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus container : pod.getStatus().getContainerStatuses()) {
                if (container.getState() != null && container.getState().getTerminated() != null
                        && container.getState().getTerminated().getFinishedAt() != null) {
                    Instant at = Instant.parse(container.getState().getTerminated().getFinishedAt());
                    latest = latest == null || at.isAfter(latest) ? at : latest;
                }
            }
        }
        if (latest == null && pod.getMetadata().getCreationTimestamp() != null) {
            latest = Instant.parse(pod.getMetadata().getCreationTimestamp());
        }
        return latest == null ? Instant.EPOCH : latest;
    }

    /** The Job's Complete or Failed condition if it is True. */
    static JobCondition finishedCondition(JobStatus status) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream()
                .filter(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()))
                .findFirst().orElse(null);
    }

    private static List<Pod> surplus(List<Pod> active, int count) {
        // as Kubernetes: not ready before ready, newer before older
        List<Pod> order = new ArrayList<>(active);
        order.sort(Comparator.comparing((Pod p) -> Pods.isReady(p))
                .thenComparing(p -> orEmpty(p.getMetadata().getCreationTimestamp()), Comparator.reverseOrder()));
        return order.subList(0, count);
    }

    /** Ready before not ready, older before newer: the ones to keep first. */
    private static List<Pod> preferredFirst(List<Pod> active) {
        List<Pod> order = new ArrayList<>(active);
        order.sort(Comparator.comparing((Pod p) -> !Pods.isReady(p)).thenComparing(p -> orEmpty(p.getMetadata().getCreationTimestamp())));
        return order;
    }

    private static int countReady(List<Pod> pods) {
        return (int) pods.stream().filter(Pods::isReady).count();
    }

    private static JobCondition find(List<JobCondition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static JobCondition setCondition(List<JobCondition> conditions, String type, String reason, String message, String now) {
        conditions.removeIf(c -> type.equals(c.getType()));
        JobCondition condition = condition(type, "True", reason, message, now);
        conditions.add(condition);
        return condition;
    }

    private static JobCondition condition(String type, String value, String reason, String message, String now) {
        return new JobConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message).withLastProbeTime(now)
                .withLastTransitionTime(now).build();
    }

    private static Duration earliest(Duration a, Duration b) {
        Duration positive = b.isNegative() || b.isZero() ? Duration.ofMillis(100) : b;
        return a == null || positive.compareTo(a) < 0 ? positive : a;
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
