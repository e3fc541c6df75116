package io.kubundle.scheduler.internal;

import static io.kubundle.scheduler.internal.Fixtures.node;
import static io.kubundle.scheduler.internal.Fixtures.on;
import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClusterCacheTest {
    private final ClusterCache cache = new ClusterCache();

    @Test
    void anAssumedPodCountsAtOnceAndIsConfirmedByItsBinding() {
        cache.putNode(node("n1"));
        cache.assume(on(pod("p", "500m", "1Gi"), "n1"));
        assertEquals(500, cache.snapshot().node("n1").requested().milliCpu(), "the next decision sees the assumed pod");
        assertTrue(cache.isAssumed("p"));
        cache.finishBinding("p", 0);
        cache.putPod(on(pod("p", "500m", "1Gi"), "n1"));
        assertFalse(cache.isAssumed("p"), "the informer showed it bound");
        assertEquals(1, cache.snapshot().node("n1").pods().size(), "counted once");
        assertEquals(0, cache.expire(Long.MAX_VALUE));
    }

    @Test
    void aFailedBindingForgetsTheAssumedPod() {
        cache.putNode(node("n1"));
        cache.assume(on(pod("p", "1", "1Gi"), "n1"));
        cache.forget("p");
        assertEquals(0, cache.snapshot().node("n1").pods().size());
        assertFalse(cache.contains("p"));
    }

    @Test
    void aBoundPodNeverSeenExpires() {
        cache.putNode(node("n1"));
        cache.assume(on(pod("p"), "n1"));
        assertEquals(0, cache.expire(Long.MAX_VALUE - 1), "not before its binding finished");
        cache.finishBinding("p", 1_000);
        assertEquals(0, cache.expire(1_000 + ClusterCache.ASSUMED_TTL_MILLIS));
        assertEquals(1, cache.expire(1_001 + ClusterCache.ASSUMED_TTL_MILLIS));
        assertEquals(0, cache.snapshot().node("n1").pods().size());
    }

    @Test
    void assumingAPodTwiceIsABug() {
        cache.putNode(node("n1"));
        cache.assume(on(pod("p"), "n1"));
        assertThrows(IllegalStateException.class, () -> cache.assume(on(pod("p"), "n1")));
    }

    @Test
    void podsOutliveTheirNodesObjectAndAreCountedWhenItReturns() {
        cache.putPod(on(pod("p", "2", "1Gi"), "n1"));
        assertEquals(0, cache.snapshot().size(), "no Node yet");
        cache.putNode(node("n1"));
        assertEquals(2000, cache.snapshot().node("n1").requested().milliCpu());
        cache.removeNode("n1");
        assertEquals(0, cache.snapshot().size());
        cache.putNode(node("n1"));
        assertEquals(2000, cache.snapshot().node("n1").requested().milliCpu());
        cache.removePod("p");
        assertEquals(0, cache.snapshot().node("n1").requested().milliCpu());
    }

    @Test
    void removingANodeKeepsTheOthersInTheSnapshot() {
        cache.putNode(node("a"));
        cache.putNode(node("b"));
        cache.putNode(node("c"));
        cache.removeNode("a");
        Snapshot snapshot = cache.snapshot();
        assertEquals(2, snapshot.size());
        assertTrue(snapshot.node("b") != null && snapshot.node("c") != null);
    }

    @Test
    void aSnapshotDoesNotChangeAfterwards() {
        cache.putNode(node("n1"));
        Snapshot before = cache.snapshot();
        cache.assume(on(pod("p", "1", "1Gi"), "n1"));
        assertEquals(0, before.node("n1").pods().size());
        assertEquals(1, cache.snapshot().node("n1").pods().size());
    }
}
