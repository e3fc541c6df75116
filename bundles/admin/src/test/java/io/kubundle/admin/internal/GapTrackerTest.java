package io.kubundle.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

final class GapTrackerTest {
    private static final long MS = 1_000_000;

    @Test
    void noGapWhenTheNewProviderComesBeforeTheOldGoes() {
        GapTracker gaps = new GapTracker(List.of("a.Greeter"), 0);
        gaps.registered("a.Greeter", 10, 0);
        gaps.registered("a.Greeter", 20, 5 * MS);
        gaps.unregistered("a.Greeter", 10, 8 * MS);
        assertEquals(Map.of("a.Greeter", 0.0), gaps.finish(20 * MS));
    }

    @Test
    void gapBetweenOldGoingAndNewComing() {
        GapTracker gaps = new GapTracker(List.of("a.Greeter"), 0);
        gaps.registered("a.Greeter", 10, 0);
        gaps.unregistered("a.Greeter", 10, 3 * MS);
        gaps.registered("a.Greeter", 20, 3 * MS + 1_234_567);
        assertEquals(Map.of("a.Greeter", 1.235), gaps.finish(20 * MS));
    }

    @Test
    void gapsAddUpAndAnOpenGapEndsAtFinish() {
        GapTracker gaps = new GapTracker(List.of("a.Greeter", "b.Clock"), 0);
        gaps.registered("a.Greeter", 10, 0);
        gaps.registered("b.Clock", 11, 0);
        gaps.unregistered("a.Greeter", 10, 2 * MS);
        gaps.registered("a.Greeter", 12, 3 * MS);
        gaps.unregistered("a.Greeter", 12, 4 * MS);
        gaps.registered("a.Greeter", 13, 6 * MS);
        gaps.unregistered("b.Clock", 11, 7 * MS);
        Map<String, Double> result = gaps.finish(10 * MS);
        assertEquals(Map.of("a.Greeter", 3.0, "b.Clock", 3.0), result);
    }

    @Test
    void anInterfaceWithoutProvidersAtTheStartIsInAGapFromTheStart() {
        GapTracker gaps = new GapTracker(List.of("a.Greeter"), 100 * MS);
        gaps.registered("a.Greeter", 10, 101 * MS);
        assertEquals(Map.of("a.Greeter", 1.0), gaps.finish(200 * MS));
    }

    @Test
    void duplicatesAndUnknownsAreIgnored() {
        GapTracker gaps = new GapTracker(List.of("a.Greeter"), 0);
        gaps.registered("a.Greeter", 10, 0);
        // the snapshot and the listener may both report the same service
        gaps.registered("a.Greeter", 10, 1 * MS);
        gaps.registered("x.Other", 11, 1 * MS);
        gaps.unregistered("x.Other", 11, 1 * MS);
        gaps.unregistered("a.Greeter", 99, 2 * MS);
        assertEquals(Map.of("a.Greeter", 0.0), gaps.finish(5 * MS));
    }

    @Test
    void anUnregisteredServiceSeenLateInASnapshotStaysGone() {
        GapTracker gaps = new GapTracker(List.of("a.Greeter"), 0);
        gaps.unregistered("a.Greeter", 10, 1 * MS);
        gaps.registered("a.Greeter", 10, 1 * MS);
        assertEquals(Map.of("a.Greeter", 4.0), gaps.finish(4 * MS));
    }

    @Test
    void eventsAfterFinishDoNotCount() {
        GapTracker gaps = new GapTracker(List.of("a.Greeter"), 0);
        gaps.registered("a.Greeter", 10, 0);
        assertEquals(Map.of("a.Greeter", 0.0), gaps.finish(1 * MS));
        gaps.unregistered("a.Greeter", 10, 2 * MS);
        assertEquals(Map.of("a.Greeter", 0.0), gaps.finish(9 * MS));
    }

    @Test
    void millisecondsKeepMicrosecondPrecision() {
        assertEquals(0.001, GapTracker.toMillis(1_499));
        assertEquals(0.002, GapTracker.toMillis(1_500));
        assertEquals(12.345, GapTracker.toMillis(12_345_000));
        assertEquals(0.0, GapTracker.toMillis(0));
    }
}
