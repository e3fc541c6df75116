package io.kubundle.controller.cronjob.internal;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;

/**
 * What the CronJob controller decides for one CronJob from it and its Jobs, without touching the
 * API: the status, the Jobs to delete (history beyond the limits; the running ones under
 * {@code Replace}), the scheduled time to start a Job for (or none), events, and when to look
 * again (the next scheduled time). Level-based: the same inputs give the same plan, and the Job
 * for a scheduled time has a name fixed by that time, so a repeated plan never starts two.
 */
record CronJobPlan(CronJobStatus status, Instant start, String jobName, List<Job> delete, List<Event> events, Duration requeue) {

    /** More missed start times than this is reported, as Kubernetes does. */
    static final int TOO_MANY_MISSED = 100;

    record Event(boolean warning, String reason, String message) {
    }

    static CronJobPlan decide(CronJob cronJob, List<Job> jobs, Instant now, ZoneId defaultZone) {
        CronJobSpec spec = cronJob.getSpec();
        CronJobStatus old = cronJob.getStatus() == null ? new CronJobStatus() : cronJob.getStatus();
        CronJobStatus status = new CronJobStatusBuilder(old).build();
        List<Event> events = new ArrayList<>();
        List<Job> delete = new ArrayList<>();

        Set<String> wasActive = old.getActive() == null ? Set.of()
                : old.getActive().stream().map(ObjectReference::getUid).collect(Collectors.toSet());
        List<Job> active = new ArrayList<>();
        List<Job> succeeded = new ArrayList<>();
        List<Job> failed = new ArrayList<>();
        for (Job job : jobs) {
            String finished = finishedType(job);
            if (finished == null) {
                active.add(job);
                continue;
            }
            if (wasActive.contains(job.getMetadata().getUid())) {
                events.add(new Event(false, "SawCompletedJob", "Saw completed job: " + job.getMetadata().getName() + ", condition: " + finished));
            }
            if (job.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (finished.equals("Complete")) {
                succeeded.add(job);
                String completed = job.getStatus().getCompletionTime();
                if (completed != null && (status.getLastSuccessfulTime() == null
                        || Instant.parse(completed).isAfter(Instant.parse(status.getLastSuccessfulTime())))) {
                    status.setLastSuccessfulTime(completed);
                }
            } else {
                failed.add(job);
            }
        }
        delete.addAll(oldest(succeeded, spec.getSuccessfulJobsHistoryLimit() == null ? 3 : spec.getSuccessfulJobsHistoryLimit()));
        delete.addAll(oldest(failed, spec.getFailedJobsHistoryLimit() == null ? 1 : spec.getFailedJobsHistoryLimit()));
        status.setActive(references(active));

        if (cronJob.getMetadata().getDeletionTimestamp() != null || Boolean.TRUE.equals(spec.getSuspend())) {
            return new CronJobPlan(status, null, null, delete, events, null);
        }
        CronSchedule schedule;
        ZoneId zone;
        try {
            schedule = CronSchedule.parse(spec.getSchedule());
        } catch (IllegalArgumentException e) {
            events.add(new Event(true, "UnparseableSchedule", "unparseable schedule: \"" + spec.getSchedule() + "\" : " + e.getMessage()));
            return new CronJobPlan(status, null, null, delete, events, null);
        }
        try {
            zone = spec.getTimeZone() == null ? defaultZone : ZoneId.of(spec.getTimeZone());
        } catch (DateTimeException e) {
            events.add(new Event(true, "UnknownTimeZone", "invalid timeZone: \"" + spec.getTimeZone() + "\": " + e.getMessage()));
            return new CronJobPlan(status, null, null, delete, events, null);
        }

        Instant earliest = Instant.parse(old.getLastScheduleTime() != null ? old.getLastScheduleTime()
                : cronJob.getMetadata().getCreationTimestamp());
        Long deadline = spec.getStartingDeadlineSeconds();
        if (deadline != null && earliest.isBefore(now.minusSeconds(deadline))) {
            earliest = now.minusSeconds(deadline);
        }
        Instant mostRecent = null;
        int missed = 0;
        Instant next = schedule.next(earliest, zone);
        while (next != null && !next.isAfter(now)) {
            mostRecent = next;
            missed++;
            next = schedule.next(next, zone);
        }
        Duration requeue = next == null ? null : Duration.between(now, next).plusMillis(100);
        if (mostRecent == null) {
            return new CronJobPlan(status, null, null, delete, events, requeue);
        }
        if (missed > TOO_MANY_MISSED) {
            events.add(new Event(true, "TooManyMissedTimes", "too many missed start times: " + missed
                    + ". Set or decrease .spec.startingDeadlineSeconds or check clock skew"));
        }
        if (deadline != null && mostRecent.plusSeconds(deadline).isBefore(now)) {
            events.add(new Event(true, "MissSchedule", "Missed scheduled time to start a job: " + mostRecent.atZone(zone)));
            return new CronJobPlan(status, null, null, delete, events, requeue);
        }
        String name = jobName(cronJob, mostRecent);
        if (jobs.stream().anyMatch(job -> job.getMetadata().getName().equals(name))) {
            // started already (its status write may have been lost)
            status.setLastScheduleTime(text(mostRecent));
            return new CronJobPlan(status, null, null, delete, events, requeue);
        }
        String policy = spec.getConcurrencyPolicy() == null ? "Allow" : spec.getConcurrencyPolicy();
        if (policy.equals("Forbid") && !active.isEmpty()) {
            events.add(new Event(false, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid"));
            return new CronJobPlan(status, null, null, delete, events, requeue);
        }
        if (policy.equals("Replace")) {
            delete.addAll(active.stream().filter(job -> job.getMetadata().getDeletionTimestamp() == null).toList());
            status.setActive(List.of());
        }
        status.setLastScheduleTime(text(mostRecent));
        return new CronJobPlan(status, mostRecent, name, delete, events, requeue);
    }

    /** {@code <cronjob>-<scheduled time in minutes since the epoch>}, as Kubernetes names them. */
    static String jobName(CronJob cronJob, Instant scheduled) {
        return cronJob.getMetadata().getName() + "-" + scheduled.getEpochSecond() / 60;
    }

    /** {@code Complete} or {@code Failed} if the Job has finished, else null. */
    static String finishedType(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        for (JobCondition condition : job.getStatus().getConditions()) {
            if (("Complete".equals(condition.getType()) || "Failed".equals(condition.getType())) && "True".equals(condition.getStatus())) {
                return condition.getType();
            }
        }
        return null;
    }

    static ObjectReference reference(Job job) {
        return new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withNamespace(job.getMetadata().getNamespace())
                .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid())
                .withResourceVersion(job.getMetadata().getResourceVersion()).build();
    }

    private static List<ObjectReference> references(List<Job> jobs) {
        return jobs.stream().sorted(Comparator.comparing((Job job) -> job.getMetadata().getName())).map(CronJobPlan::reference)
                .collect(Collectors.toCollection(ArrayList::new));
    }

    /** The oldest jobs beyond {@code keep}, by start time, then creation. */
    private static List<Job> oldest(List<Job> jobs, int keep) {
        if (jobs.size() <= Math.max(0, keep)) {
            return List.of();
        }
        List<Job> order = new ArrayList<>(jobs);
        order.sort(Comparator.comparing(CronJobPlan::started));
        return order.subList(0, order.size() - Math.max(0, keep));
    }

    private static String started(Job job) {
        if (job.getStatus() != null && job.getStatus().getStartTime() != null) {
            return job.getStatus().getStartTime();
        }
        return job.getMetadata().getCreationTimestamp() == null ? "" : job.getMetadata().getCreationTimestamp();
    }

    private static String text(Instant time) {
        return time.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
