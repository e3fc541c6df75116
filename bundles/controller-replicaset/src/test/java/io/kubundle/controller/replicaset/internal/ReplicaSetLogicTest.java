package io.kubundle.controller.replicaset.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;

class ReplicaSetLogicTest {
    private static Pod pod(String name, String node, String phase, String readySince, String created) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created).withLabels(Map.of("app", "web"))
                .endMetadata().withNewSpec().withNodeName(node).endSpec().withNewStatus().withPhase(phase).endStatus();
        if (readySince != null) {
            builder.editStatus().addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(readySince).endCondition()
                    .endStatus();
        }
        return builder.build();
    }

    private static List<String> ranked(Pod... pods) {
        return List.of(pods).stream().sorted(PodRanking.LEAST_VALUABLE_FIRST).map(p -> p.getMetadata().getName()).toList();
    }

    @Test
    void unscheduledPodsGoBeforeScheduledOnes() {
        assertEquals(List.of("pending", "bound"), ranked(pod("bound", "sim-0", "Pending", null, "2024-01-01T00:00:00Z"),
                pod("pending", null, "Pending", null, "2024-01-01T00:00:00Z")));
    }

    @Test
    void pendingGoesBeforeUnknownBeforeRunning() {
        assertEquals(List.of("pending", "unknown", "running"), ranked(pod("running", "n", "Running", null, "2024-01-01T00:00:00Z"),
                pod("unknown", "n", "Unknown", null, "2024-01-01T00:00:00Z"), pod("pending", "n", "Pending", null, "2024-01-01T00:00:00Z")));
    }

    @Test
    void notReadyBeforeReadyAndReadyLessLongBeforeLonger() {
        assertEquals(List.of("not-ready", "ready-recently", "ready-long"), ranked(
                pod("ready-long", "n", "Running", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
                pod("ready-recently", "n", "Running", "2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z"),
                pod("not-ready", "n", "Running", null, "2024-01-01T00:00:00Z")));
    }

    @Test
    void newerBeforeOlderWhenAllElseIsEqual() {
        assertEquals(List.of("new", "old"), ranked(pod("old", "n", "Running", null, "2024-01-01T00:00:00Z"),
                pod("new", "n", "Running", null, "2024-01-03T00:00:00Z")));
    }

    @Test
    void slowStartDoublesTheBatches() {
        assertEquals(List.of(1, 2, 4, 3), SlowStart.batches(10, 1));
        assertEquals(List.of(1), SlowStart.batches(1, 1));
        assertEquals(List.of(), SlowStart.batches(0, 1));
        assertEquals(List.of(1, 2, 4, 8, 16, 1), SlowStart.batches(32, 1));
    }

    @Test
    void slowStartStopsAfterTheFirstFailingBatch() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            AtomicInteger calls = new AtomicInteger();
            List<Exception> failures = new ArrayList<>();
            int done = SlowStart.run(10, 1, executor, () -> {
                if (calls.incrementAndGet() == 2) {
                    throw new IllegalStateException("quota");
                }
                return null;
            }, failures);
            assertEquals(3, calls.get(), "batches of 1 and 2, then stop");
            assertEquals(2, done);
            assertEquals("quota", failures.get(0).getMessage());
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void expectationsHoldUntilObservedOrExpired() {
        AtomicLong now = new AtomicLong();
        Expectations expectations = new Expectations(now::get);
        assertTrue(expectations.satisfied("ns/rs"), "nothing expected");
        expectations.expect("ns/rs", 2, Set.of());
        assertFalse(expectations.satisfied("ns/rs"));
        expectations.creationObserved("ns/rs");
        assertFalse(expectations.satisfied("ns/rs"), "one creation still to see");
        expectations.creationObserved("ns/rs");
        assertTrue(expectations.satisfied("ns/rs"));

        expectations.expect("ns/rs", 0, Set.of("ns/a", "ns/b"));
        expectations.deletionObserved("ns/rs", "ns/a");
        expectations.deletionObserved("ns/rs", "ns/a");
        assertFalse(expectations.satisfied("ns/rs"), "a repeated observation counts once");
        now.addAndGet(Expectations.TTL.toNanos() + 1);
        assertTrue(expectations.satisfied("ns/rs"), "expired");
    }

    @Test
    void statusCountsReadyAvailableAndFullyLabeledPods() {
        ReplicaSet set = new ReplicaSetBuilder().withNewMetadata().withName("rs").withGeneration(4L).endMetadata().withNewSpec()
                .withReplicas(3).withMinReadySeconds(10).withNewTemplate().withNewMetadata().withLabels(Map.of("app", "web", "tier", "x"))
                .endMetadata().endTemplate().endSpec().build();
        Instant now = Instant.parse("2024-01-01T00:01:00Z");
        Pod longReady = pod("a", "n", "Running", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z");
        longReady.getMetadata().setLabels(Map.of("app", "web", "tier", "x"));
        Pod justReady = pod("b", "n", "Running", "2024-01-01T00:00:55Z", "2024-01-01T00:00:00Z");
        Pod notReady = pod("c", "n", "Pending", null, "2024-01-01T00:00:00Z");
        ReplicaSetStatus status = ReplicaSetStatuses.of(set, List.of(longReady, justReady, notReady), now);
        assertEquals(3, status.getReplicas());
        assertEquals(1, status.getFullyLabeledReplicas());
        assertEquals(2, status.getReadyReplicas());
        assertEquals(1, status.getAvailableReplicas(), "ready for 5 s of the 10 minReadySeconds is not available");
        assertEquals(4L, status.getObservedGeneration());
        assertTrue(ReplicaSetStatuses.same(status, ReplicaSetStatuses.of(set, List.of(longReady, justReady, notReady), now)));
    }
}
