package io.kubundle.controller.cronjob.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;

class CronJobPlanTest {
    private static final Instant CREATED = Instant.parse("2024-05-01T12:00:10Z");

    private static CronJobBuilder cronJob(String schedule) {
        return new CronJobBuilder().withNewMetadata().withName("tick").withNamespace("default").withUid("c1")
                .withCreationTimestamp(CREATED.toString()).endMetadata().withNewSpec().withSchedule(schedule).endSpec();
    }

    private static Job job(String name, String finished, String started) {
        JobBuilder job = new JobBuilder().withNewMetadata().withName(name).withUid("u-" + name).endMetadata().withNewStatus()
                .withStartTime(started).endStatus();
        if (finished != null) {
            job.editStatus().withCompletionTime(started).addNewCondition().withType(finished).withStatus("True").endCondition().endStatus();
        }
        return job.build();
    }

    private static CronJobPlan decide(CronJob cronJob, List<Job> jobs, String now) {
        return CronJobPlan.decide(cronJob, jobs, Instant.parse(now), ZoneOffset.UTC);
    }

    @Test
    void startsAJobNamedAfterTheScheduledMinuteAndComesBackAtTheNext() {
        CronJobPlan plan = decide(cronJob("*/1 * * * *").build(), List.of(), "2024-05-01T12:01:02Z");
        assertEquals(Instant.parse("2024-05-01T12:01:00Z"), plan.start());
        assertEquals("tick-" + Instant.parse("2024-05-01T12:01:00Z").getEpochSecond() / 60, plan.jobName());
        assertEquals("2024-05-01T12:01:00Z", plan.status().getLastScheduleTime());
        assertEquals(Duration.ofMillis(58_100), plan.requeue());

        CronJobPlan early = decide(cronJob("*/1 * * * *").build(), List.of(), "2024-05-01T12:00:30Z");
        assertNull(early.start());
        assertEquals(Duration.ofMillis(30_100), early.requeue());
    }

    @Test
    void aJobAlreadyStartedForTheTimeIsNotStartedAgain() {
        String name = "tick-" + Instant.parse("2024-05-01T12:01:00Z").getEpochSecond() / 60;
        CronJobPlan plan = decide(cronJob("*/1 * * * *").build(), List.of(job(name, null, "2024-05-01T12:01:00Z")), "2024-05-01T12:01:02Z");
        assertNull(plan.start());
        assertEquals("2024-05-01T12:01:00Z", plan.status().getLastScheduleTime());
        assertEquals(1, plan.status().getActive().size());
    }

    @Test
    void forbidWaitsAndReplaceDeletesTheRunningJob() {
        List<Job> running = List.of(job("tick-1", null, "2024-05-01T11:00:00Z"));
        CronJobPlan forbid = decide(cronJob("*/1 * * * *").editSpec().withConcurrencyPolicy("Forbid").endSpec().build(), running,
                "2024-05-01T12:01:02Z");
        assertNull(forbid.start());
        assertEquals("JobAlreadyActive", forbid.events().get(0).reason());

        CronJobPlan replace = decide(cronJob("*/1 * * * *").editSpec().withConcurrencyPolicy("Replace").endSpec().build(), running,
                "2024-05-01T12:01:02Z");
        assertEquals(running, replace.delete());
        assertEquals(Instant.parse("2024-05-01T12:01:00Z"), replace.start());

        CronJobPlan allow = decide(cronJob("*/1 * * * *").build(), running, "2024-05-01T12:01:02Z");
        assertTrue(allow.delete().isEmpty());
        assertEquals(Instant.parse("2024-05-01T12:01:00Z"), allow.start());
    }

    @Test
    void historyLimitsDeleteTheOldestFinishedJobs() {
        List<Job> jobs = List.of(job("s1", "Complete", "2024-05-01T10:00:00Z"), job("s2", "Complete", "2024-05-01T10:01:00Z"),
                job("s3", "Complete", "2024-05-01T10:02:00Z"), job("f1", "Failed", "2024-05-01T10:00:30Z"),
                job("f2", "Failed", "2024-05-01T10:01:30Z"));
        CronJob cronJob = cronJob("0 0 1 1 *").editSpec().withSuccessfulJobsHistoryLimit(2).endSpec().build();
        CronJobPlan plan = decide(cronJob, jobs, "2024-05-01T12:00:30Z");
        assertEquals(List.of("s1", "f1"), plan.delete().stream().map(j -> j.getMetadata().getName()).toList());
        assertEquals("2024-05-01T10:02:00Z", plan.status().getLastSuccessfulTime());
    }

    @Test
    void missedTimesStartOnlyTheLatestWithinTheStartingDeadline() {
        CronJob cronJob = cronJob("*/1 * * * *").withNewStatus().withLastScheduleTime("2024-05-01T12:01:00Z").endStatus().build();
        CronJobPlan plan = decide(cronJob, List.of(), "2024-05-01T14:00:30Z");
        assertEquals(Instant.parse("2024-05-01T14:00:00Z"), plan.start());
        assertEquals("TooManyMissedTimes", plan.events().get(0).reason());

        CronJob withDeadline = cronJob("0 * * * *").editSpec().withStartingDeadlineSeconds(60L).endSpec().withNewStatus()
                .withLastScheduleTime("2024-05-01T12:00:00Z").endStatus().build();
        assertNull(decide(withDeadline, List.of(), "2024-05-01T14:02:00Z").start(), "14:00 is more than 60 s ago");
        assertEquals(Instant.parse("2024-05-01T14:00:00Z"), decide(withDeadline, List.of(), "2024-05-01T14:00:50Z").start());
    }

    @Test
    void suspendedOrBadSchedulesStartNothing() {
        assertNull(decide(cronJob("* * * * *").editSpec().withSuspend(true).endSpec().build(), List.of(), "2024-05-01T13:00:00Z").start());
        CronJobPlan bad = decide(cronJob("* * *").build(), List.of(), "2024-05-01T13:00:00Z");
        assertEquals("UnparseableSchedule", bad.events().get(0).reason());
        CronJobPlan zone = decide(cronJob("* * * * *").editSpec().withTimeZone("Mars/Olympus").endSpec().build(), List.of(),
                "2024-05-01T13:00:00Z");
        assertEquals("UnknownTimeZone", zone.events().get(0).reason());
    }

    @Test
    void theScheduleIsReadInTheTimeZone() {
        CronJob cronJob = cronJob("0 9 * * *").editSpec().withTimeZone("Asia/Tokyo").endSpec().build();
        CronJobPlan plan = decide(cronJob, List.of(), "2024-05-02T00:00:30Z");
        assertEquals(Instant.parse("2024-05-02T00:00:00Z"), plan.start(), "09:00 in Tokyo is midnight UTC");
    }
}
