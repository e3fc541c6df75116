package io.kubundle.scheduler.preferlabel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.scheduler.CycleState;
import io.kubundle.api.scheduler.NodeInfo;
import io.kubundle.api.scheduler.PodInfo;

class PreferLabelTest {
    private final PodInfo pod = PodInfo.builder("default", "web").build();

    private static NodeInfo node(Map<String, String> labels) {
        return NodeInfo.builder("n").labels(labels).build();
    }

    @Test
    void anyValueOfTheLabelIsPreferred() {
        PreferLabel plugin = new PreferLabel("kubundle.io/preferred", "");
        assertEquals(100, plugin.score(new CycleState(), pod, node(Map.of("kubundle.io/preferred", "yes"))));
        assertEquals(100, plugin.score(new CycleState(), pod, node(Map.of("kubundle.io/preferred", ""))));
        assertEquals(0, plugin.score(new CycleState(), pod, node(Map.of("other", "yes"))));
    }

    @Test
    void aConfiguredValueMustMatch() {
        PreferLabel plugin = new PreferLabel("disktype", "ssd");
        assertEquals(100, plugin.score(new CycleState(), pod, node(Map.of("disktype", "ssd"))));
        assertEquals(0, plugin.score(new CycleState(), pod, node(Map.of("disktype", "hdd"))));
        assertEquals("PreferLabel", plugin.name());
    }
}
