package io.kubundle.scheduler.internal.plugins;

import static io.kubundle.scheduler.internal.Fixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.Status;

class DefaultBinderTest {
    @Test
    void bindsThroughTheApiAndReportsFailures() {
        List<String> bound = new ArrayList<>();
        DefaultBinder binder = new DefaultBinder((pod, node) -> bound.add(pod.name() + "->" + node));
        assertTrue(binder.bind(new CycleState(), pod("web"), "n1").isSuccess());
        assertEquals(List.of("web->n1"), bound);
        DefaultBinder failing = new DefaultBinder((pod, node) -> {
            throw new java.io.IOException("no API server");
        });
        Status status = failing.bind(new CycleState(), pod("web"), "n1");
        assertEquals(Status.Code.ERROR, status.code());
        assertTrue(status.message().contains("no API server"));
    }
}
