package io.kubundle.scheduler.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.PodInfo;

class SchedulingQueueTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final SchedulingQueue queue = new SchedulingQueue(now::get, 1_000, 10_000, 300_000);

    private static PodInfo pod(String name, int priority) {
        return PodInfo.builder("default", name).uid(name).priority(priority).build();
    }

    @Test
    void activePodsComeByPriorityThenFirstCome() {
        queue.add(pod("a", 0));
        now.addAndGet(1);
        queue.add(pod("b", 10));
        now.addAndGet(1);
        queue.add(pod("c", 0));
        assertEquals("b", queue.tryPop().pod().name());
        assertEquals("a", queue.tryPop().pod().name());
        assertEquals("c", queue.tryPop().pod().name());
        assertNull(queue.tryPop());
    }

    @Test
    void backoffDoublesFromOneSecondToTen() {
        assertEquals(1_000, queue.backoffDuration(1));
        assertEquals(2_000, queue.backoffDuration(2));
        assertEquals(4_000, queue.backoffDuration(3));
        assertEquals(8_000, queue.backoffDuration(4));
        assertEquals(10_000, queue.backoffDuration(5));
        assertEquals(10_000, queue.backoffDuration(50));
    }

    @Test
    void aFailedPodWaitsOutItsBackoff() {
        queue.add(pod("a", 0));
        SchedulingQueue.QueuedPod first = queue.tryPop();
        queue.addBackoff(first, "error");
        now.addAndGet(999);
        assertNull(queue.tryPop(), "still backing off after 999 ms");
        now.addAndGet(1);
        SchedulingQueue.QueuedPod second = queue.tryPop();
        assertEquals("a", second.pod().name());
        queue.addBackoff(second, "error");
        now.addAndGet(1_999);
        assertNull(queue.tryPop(), "the second back-off is 2 s");
        now.addAndGet(1);
        assertEquals("a", queue.tryPop().pod().name());
    }

    @Test
    void unschedulablePodsWaitForAClusterChange() {
        queue.add(pod("a", 0));
        queue.addUnschedulable(queue.tryPop(), "0/3 nodes are available");
        now.addAndGet(60_000);
        assertNull(queue.tryPop(), "no change, no retry");
        assertEquals(1, queue.sizes()[2]);
        queue.moveAll();
        assertEquals("a", queue.tryPop().pod().name(), "a node was added: tried again (its back-off is over)");
    }

    @Test
    void aPodMovedDuringItsBackoffWaitsForTheBackoffFirst() {
        queue.add(pod("a", 0));
        queue.addUnschedulable(queue.tryPop(), "no");
        queue.moveAll();
        assertNull(queue.tryPop(), "moved to backoff, not active: its 1 s has not passed");
        now.addAndGet(1_000);
        assertEquals("a", queue.tryPop().pod().name());
    }

    @Test
    void unschedulablePodsAreRetriedAfterFiveMinutes() {
        queue.add(pod("a", 0));
        queue.addUnschedulable(queue.tryPop(), "no");
        now.addAndGet(299_000);
        assertNull(queue.tryPop());
        now.addAndGet(1_000); // the time-outs are checked once a second
        assertEquals("a", queue.tryPop().pod().name());
    }

    @Test
    void aChangeDuringTheAttemptSendsTheFailedPodToBackoffNotUnschedulable() {
        queue.add(pod("a", 0));
        SchedulingQueue.QueuedPod attempt = queue.tryPop();
        queue.moveAll(); // a node arrived while the pod was being scheduled
        queue.addUnschedulable(attempt, "no");
        assertEquals(0, queue.sizes()[2]);
        assertEquals(1, queue.sizes()[1]);
        now.addAndGet(1_000);
        assertEquals("a", queue.tryPop().pod().name());
    }

    @Test
    void movesCanBeSelective() {
        queue.add(pod("a", 0));
        queue.add(pod("b", 0));
        queue.addUnschedulable(queue.tryPop(), "no");
        queue.addUnschedulable(queue.tryPop(), "no");
        now.addAndGet(5_000);
        queue.moveAll(pod -> pod.name().equals("b"));
        assertEquals("b", queue.tryPop().pod().name());
        assertNull(queue.tryPop());
    }

    @Test
    void deletedPodsLeaveEveryPlace() {
        queue.add(pod("a", 0));
        queue.add(pod("b", 0));
        queue.delete("a");
        assertEquals("b", queue.tryPop().pod().name());
        queue.add(pod("c", 0));
        SchedulingQueue.QueuedPod inFlight = queue.tryPop();
        queue.delete("c");
        queue.addUnschedulable(inFlight, "no");
        assertFalse(queue.contains("c"), "a pod deleted during its attempt is not requeued");
    }

    @Test
    void anUpdateGivesAnUnschedulablePodAnotherChance() {
        queue.add(pod("a", 0));
        queue.addUnschedulable(queue.tryPop(), "no");
        now.addAndGet(2_000);
        queue.update(PodInfo.builder("default", "a").uid("a").labels(java.util.Map.of("fixed", "yes")).build());
        SchedulingQueue.QueuedPod again = queue.tryPop();
        assertEquals("yes", again.pod().labels().get("fixed"));
        assertEquals(2, again.attempts());
    }

    @Test
    void popWaitsUntilAPodArrivesAndReturnsNullOnceClosed() throws Exception {
        Thread adder = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            queue.add(pod("late", 0));
        });
        adder.start();
        assertEquals("late", queue.pop().pod().name());
        queue.close();
        assertNull(queue.pop());
        assertTrue(true);
    }
}
