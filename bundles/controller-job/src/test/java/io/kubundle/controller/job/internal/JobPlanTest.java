package io.kubundle.controller.job.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;

class JobPlanTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Backoff NO_BACKOFF = new Backoff(Duration.ZERO, Duration.ZERO);

    private static JobBuilder job(int completions, int parallelism) {
        return new JobBuilder().withNewMetadata().withName("pi").withNamespace("default").withUid("u1").endMetadata().withNewSpec()
                .withCompletions(completions).withParallelism(parallelism).withBackoffLimit(6).endSpec();
    }

    private static Pod pod(String name, String phase, Instant finished, Integer index) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp("2024-05-01T11:00:00Z").endMetadata()
                .withNewStatus().withPhase(phase).endStatus();
        if (index != null) {
            pod.editMetadata().withAnnotations(Map.of(JobPlan.COMPLETION_INDEX, index.toString())).endMetadata();
        }
        if (finished != null) {
            pod.editStatus().addNewContainerStatus().withName("c").withNewState().withNewTerminated().withFinishedAt(finished.toString())
                    .endTerminated().endState().endContainerStatus().endStatus();
        }
        return pod.build();
    }

    private static JobCondition condition(JobPlan plan, String type) {
        return plan.status().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    @Test
    void startsParallelismPodsAndNoMoreThanRemain() {
        JobPlan first = JobPlan.decide(job(6, 2).build(), List.of(), NOW, NO_BACKOFF, true);
        assertEquals(2, first.create());
        assertEquals(2, first.status().getActive());
        assertEquals(NOW.toString(), first.status().getStartTime());

        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pods.add(pod("s" + i, "Succeeded", NOW.minusSeconds(5), null));
        }
        JobPlan last = JobPlan.decide(job(6, 2).build(), pods, NOW, NO_BACKOFF, true);
        assertEquals(1, last.create(), "min(parallelism, remaining)");
        assertEquals(5, last.status().getSucceeded());
    }

    @Test
    void waitsWhileEarlierWorkIsNotSeen() {
        JobPlan plan = JobPlan.decide(job(6, 2).build(), List.of(), NOW, NO_BACKOFF, false);
        assertEquals(0, plan.create());
        assertTrue(plan.delete().isEmpty());
    }

    @Test
    void completesAndDeletesWhatStillRuns() {
        List<Pod> pods = List.of(pod("a", "Succeeded", NOW, null), pod("b", "Running", null, null));
        JobPlan plan = JobPlan.decide(job(1, 2).build(), pods, NOW, NO_BACKOFF, true);
        assertEquals("True", condition(plan, "Complete").getStatus());
        assertEquals(NOW.toString(), plan.status().getCompletionTime());
        assertEquals(List.of(pods.get(1)), plan.delete());
        assertEquals("Completed", plan.events().get(0).reason());
    }

    @Test
    void failsOverTheBackoffLimit() {
        Job job = job(1, 1).editSpec().withBackoffLimit(1).endSpec().build();
        List<Pod> pods = List.of(pod("a", "Failed", NOW.minusSeconds(30), null), pod("b", "Failed", NOW.minusSeconds(1), null));
        JobPlan plan = JobPlan.decide(job, pods, NOW, NO_BACKOFF, true);
        JobCondition failed = condition(plan, "Failed");
        assertEquals("BackoffLimitExceeded", failed.getReason());
        assertEquals("Job has reached the specified backoff limit", failed.getMessage());
        assertEquals(2, plan.status().getFailed());
        assertEquals(0, plan.create());
        assertTrue(plan.events().get(0).warning());
    }

    @Test
    void failsPastItsActiveDeadline() {
        Job job = job(1, 1).editSpec().withActiveDeadlineSeconds(10L).endSpec().withNewStatus().withStartTime(NOW.minusSeconds(11).toString())
                .endStatus().build();
        JobPlan plan = JobPlan.decide(job, List.of(pod("a", "Running", null, null)), NOW, NO_BACKOFF, true);
        assertEquals("DeadlineExceeded", condition(plan, "Failed").getReason());
        assertEquals(1, plan.delete().size());

        Job young = job(1, 1).editSpec().withActiveDeadlineSeconds(10L).endSpec().withNewStatus().withStartTime(NOW.minusSeconds(4).toString())
                .endStatus().build();
        assertEquals(Duration.ofSeconds(6), JobPlan.decide(young, List.of(pod("a", "Running", null, null)), NOW, NO_BACKOFF, true).requeue());
    }

    @Test
    void replacesFailedPodsAfterTheBackOff() {
        List<Pod> pods = List.of(pod("a", "Failed", NOW.minusSeconds(25), null), pod("b", "Failed", NOW.minusSeconds(5), null));
        JobPlan plan = JobPlan.decide(job(1, 1).build(), pods, NOW, Backoff.KUBERNETES, true);
        assertEquals(0, plan.create(), "two failures: 20 s after the last");
        assertEquals(Duration.ofSeconds(15), plan.requeue());
        assertEquals(1, JobPlan.decide(job(1, 1).build(), pods, NOW.plusSeconds(15), Backoff.KUBERNETES, true).create());
    }

    @Test
    void backOffDoublesFromTenSecondsUpToSixMinutes() {
        assertEquals(Duration.ZERO, Backoff.KUBERNETES.delay(0));
        assertEquals(Duration.ofSeconds(10), Backoff.KUBERNETES.delay(1));
        assertEquals(Duration.ofSeconds(20), Backoff.KUBERNETES.delay(2));
        assertEquals(Duration.ofSeconds(160), Backoff.KUBERNETES.delay(5));
        assertEquals(Duration.ofSeconds(320), Backoff.KUBERNETES.delay(6));
        assertEquals(Duration.ofMinutes(6), Backoff.KUBERNETES.delay(7));
        assertEquals(Duration.ofMinutes(6), Backoff.KUBERNETES.delay(60));
    }

    @Test
    void aSuccessResetsTheBackOff() {
        List<Pod> pods = List.of(pod("a", "Failed", NOW.minusSeconds(9), null), pod("b", "Succeeded", NOW.minusSeconds(2), null));
        assertEquals(Duration.ZERO, Backoff.KUBERNETES.remaining(List.of(pods.get(0)), List.of(pods.get(1)), NOW));
    }

    @Test
    void indexedJobsRunTheMissingIndexesOnce() {
        Job job = job(5, 2).editSpec().withCompletionMode("Indexed").endSpec().build();
        List<Pod> pods = List.of(pod("pi-0-a", "Succeeded", NOW, 0), pod("pi-1-a", "Running", null, 1), pod("pi-1-b", "Running", null, 1),
                pod("pi-3-a", "Succeeded", NOW, 3));
        JobPlan plan = JobPlan.decide(job, pods, NOW, NO_BACKOFF, true);
        assertEquals("0,3", plan.status().getCompletedIndexes());
        assertEquals(2, plan.status().getSucceeded());
        assertEquals(List.of(2), plan.createIndexes(), "the lowest index neither done nor running");
        assertEquals(1, plan.delete().size(), "one of the two pods of index 1");

        Job done = job(2, 2).editSpec().withCompletionMode("Indexed").endSpec().build();
        JobPlan complete = JobPlan.decide(done, List.of(pod("a", "Succeeded", NOW, 0), pod("b", "Succeeded", NOW, 1)), NOW, NO_BACKOFF, true);
        assertEquals("True", condition(complete, "Complete").getStatus());
        assertEquals("0-1", complete.status().getCompletedIndexes());
    }

    @Test
    void indexSetsReadAndWriteRanges() {
        BitSet set = IndexSet.parse("0-2,4,6-7,x,9", 8);
        assertEquals("0-2,4,6-7", IndexSet.format(set));
        assertEquals("", IndexSet.format(IndexSet.parse(null, 3)));
    }

    @Test
    void countsNeverGoBackWhenFinishedPodsAreDeleted() {
        Job job = job(3, 1).withNewStatus().withSucceeded(2).withFailed(1).endStatus().build();
        JobPlan plan = JobPlan.decide(job, List.of(), NOW, NO_BACKOFF, true);
        assertEquals(2, plan.status().getSucceeded());
        assertEquals(1, plan.status().getFailed());
        assertEquals(1, plan.create());
    }

    @Test
    void aFinishedJobGoesAfterItsTtl() {
        Job job = job(1, 1).editSpec().withTtlSecondsAfterFinished(60).endSpec().withNewStatus()
                .withCompletionTime(NOW.minusSeconds(30).toString()).addNewCondition().withType("Complete").withStatus("True").endCondition()
                .endStatus().build();
        JobPlan waiting = JobPlan.decide(job, List.of(), NOW, NO_BACKOFF, true);
        assertFalse(waiting.deleteJob());
        assertEquals(Duration.ofSeconds(30), waiting.requeue());
        assertTrue(JobPlan.decide(job, List.of(), NOW.plusSeconds(30), NO_BACKOFF, true).deleteJob());
    }

    @Test
    void suspendingDeletesThePodsAndResumingStartsAgain() {
        Job suspended = job(2, 2).editSpec().withSuspend(true).endSpec().build();
        JobPlan plan = JobPlan.decide(suspended, List.of(pod("a", "Running", null, null)), NOW, NO_BACKOFF, true);
        assertEquals("JobSuspended", condition(plan, "Suspended").getReason());
        assertEquals(1, plan.delete().size());
        assertNull(plan.status().getStartTime());

        Job resumed = job(2, 2).withStatus(plan.status()).build();
        JobPlan again = JobPlan.decide(resumed, List.of(), NOW, NO_BACKOFF, true);
        assertEquals("False", condition(again, "Suspended").getStatus());
        assertEquals(2, again.create());
    }
}
