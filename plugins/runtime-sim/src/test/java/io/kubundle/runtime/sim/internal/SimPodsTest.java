package io.kubundle.runtime.sim.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;

class SimPodsTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private static Pod pod(Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName("p").withUid("u").withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName("sim-0").addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
    }

    private static Pod withStatus(Pod pod, PodStatus status) {
        return new PodBuilder(pod).withStatus(status).build();
    }

    @Test
    void aPendingPodIsReportedRunningAndReady() {
        SimPods.Report report = assertInstanceOf(SimPods.Report.class, SimPods.next(pod(Map.of()), "198.18.0.1", "10.128.0.5", START));
        PodStatus status = report.status();
        assertEquals("Running", status.getPhase());
        assertEquals("10.128.0.5", status.getPodIP());
        assertEquals("True", status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow().getStatus());
        assertEquals(true, status.getContainerStatuses().get(0).getReady());
        assertInstanceOf(SimPods.Nothing.class, SimPods.next(withStatus(pod(Map.of()), status), "h", "p", START.plusSeconds(600)),
                "without run-seconds it runs until deleted");
    }

    @Test
    void aPodThatAsksToFinishExitsWithItsCode() {
        Pod pod = pod(Map.of(SimPods.RUN_SECONDS, "5", SimPods.EXIT_CODE, "2"));
        PodStatus running = ((SimPods.Report) SimPods.next(pod, "h", "p", START)).status();
        SimPods.Later later = assertInstanceOf(SimPods.Later.class, SimPods.next(withStatus(pod, running), "h", "p", START.plusSeconds(2)));
        assertEquals(Duration.ofSeconds(3), later.delay());
        PodStatus done = ((SimPods.Report) SimPods.next(withStatus(pod, running), "h", "p", START.plusSeconds(5))).status();
        assertEquals("Failed", done.getPhase());
        assertEquals(2, done.getContainerStatuses().get(0).getState().getTerminated().getExitCode());
        assertEquals("Error", done.getContainerStatuses().get(0).getState().getTerminated().getReason());
        assertInstanceOf(SimPods.Nothing.class, SimPods.next(withStatus(pod, done), "h", "p", START.plusSeconds(9)), "finished stays finished");
    }

    @Test
    void exitCodeZeroSucceeds() {
        Pod pod = pod(Map.of(SimPods.RUN_SECONDS, "0"));
        PodStatus running = ((SimPods.Report) SimPods.next(pod, "h", "p", START)).status();
        PodStatus done = ((SimPods.Report) SimPods.next(withStatus(pod, running), "h", "p", START)).status();
        assertEquals("Succeeded", done.getPhase());
        assertEquals("Completed", done.getContainerStatuses().get(0).getState().getTerminated().getReason());
    }

    @Test
    void aPodMarkedNotReadyWhileItsNodeWasAwayIsReportedReadyAgain() {
        Pod pod = pod(Map.of());
        PodStatus running = ((SimPods.Report) SimPods.next(pod, "h", "p", START)).status();
        PodStatus marked = new io.fabric8.kubernetes.api.model.PodStatusBuilder(running).editMatchingCondition(c -> c.getType().equals("Ready"))
                .withStatus("False").withReason("NodeLost").endCondition().build();
        PodStatus again = ((SimPods.Report) SimPods.next(withStatus(pod, marked), "h", "p", START.plusSeconds(60))).status();
        assertEquals("True", again.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow().getStatus());
        assertEquals(running.getStartTime(), again.getStartTime(), "the containers did not restart");
    }
}
