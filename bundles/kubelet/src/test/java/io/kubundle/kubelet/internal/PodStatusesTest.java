package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kubundle.api.runtime.ContainerState;
import io.kubundle.api.runtime.ContainerStatus;

class PodStatusesTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:10Z");

    private static ContainerStatus container(String name, int attempt, ContainerState state, int exitCode, String reason) {
        Instant started = state == ContainerState.CREATED ? null : Instant.parse("2026-01-01T00:00:01Z");
        Instant finished = state == ContainerState.EXITED ? Instant.parse("2026-01-01T00:00:05Z") : null;
        return new ContainerStatus("id-" + name + attempt, "sb", "runc", name, attempt, state, "busybox", "sha256:abc",
                Instant.parse("2026-01-01T00:00:00Z"), started, finished, exitCode, reason, "", "/log", Map.of(), Map.of());
    }

    private static ContainerView view(String name, ContainerStatus latest) {
        return new ContainerView(name, "busybox", latest, null, null, true, true);
    }

    private static Pod pod(String restartPolicy) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("default").endMetadata()
                .withNewSpec().withRestartPolicy(restartPolicy).endSpec()
                .withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("True")
                .withLastTransitionTime("2026-01-01T00:00:00Z").endCondition().endStatus().build();
    }

    private static String phase(String policy, ContainerStatus... containers) {
        List<ContainerView> views = java.util.Arrays.stream(containers).map(c -> view(c.name(), c)).toList();
        return PodStatuses.compute(pod(policy), List.of(), views, "10.0.0.2", "192.168.0.1", true, NOW).getPhase();
    }

    @Test
    void phaseFollowsKubernetesRulesForEachRestartPolicyAndExitCode() {
        ContainerStatus ok = container("a", 0, ContainerState.EXITED, 0, "Completed");
        ContainerStatus failed = container("a", 0, ContainerState.EXITED, 1, "Error");
        ContainerStatus running = container("b", 0, ContainerState.RUNNING, 0, "");
        assertEquals("Succeeded", phase("Never", ok));
        assertEquals("Failed", phase("Never", failed));
        assertEquals("Succeeded", phase("OnFailure", ok));
        assertEquals("Running", phase("OnFailure", failed), "OnFailure restarts a failed container");
        assertEquals("Running", phase("Always", ok), "Always restarts even a container that succeeded");
        assertEquals("Running", phase("Always", failed));
        assertEquals("Running", phase("Never", failed, running));
        assertEquals("Pending", phase("Always", container("a", 0, ContainerState.CREATED, 0, "")));
        assertEquals("Pending", PodStatuses.compute(pod("Always"), List.of(), List.of(new ContainerView("a", "x", null, null, null,
                false, false)), null, "h", false, NOW).getPhase());
    }

    @Test
    void aTerminalPhaseNeverChanges() {
        assertEquals("Succeeded", PodStatuses.phase("Succeeded", "Always", List.of(), List.of(view("a",
                container("a", 1, ContainerState.RUNNING, 0, ""))), true));
    }

    @Test
    void initContainersKeepThePodPendingAndFailItUnderNever() {
        ContainerView initFailed = view("init", container("init", 0, ContainerState.EXITED, 2, "Error"));
        ContainerView app = new ContainerView("app", "busybox", null, null, null, false, false);
        PodStatus pending = PodStatuses.compute(pod("Always"), List.of(initFailed), List.of(app), "10.0.0.2", "h", true, NOW);
        assertEquals("Pending", pending.getPhase());
        assertEquals("PodInitializing", pending.getContainerStatuses().get(0).getState().getWaiting().getReason());
        PodCondition initialized = pending.getConditions().stream().filter(c -> "Initialized".equals(c.getType())).findFirst().get();
        assertEquals("False", initialized.getStatus());
        assertEquals("containers with incomplete status: [init]", initialized.getMessage());
        assertEquals("Failed", PodStatuses.compute(pod("Never"), List.of(initFailed), List.of(app), null, "h", true, NOW).getPhase());
    }

    @Test
    void crashLoopShowsWaitingWithTheExitAsLastStateAndCountsRestarts() {
        ContainerStatus second = container("a", 2, ContainerState.EXITED, 1, "Error");
        ContainerView crashing = new ContainerView("a", "busybox", second, container("a", 1, ContainerState.EXITED, 1, "Error"),
                new ContainerView.Waiting("CrashLoopBackOff", "back-off 20s restarting failed container=a pod=p_default(u)"), false, true);
        PodStatus status = PodStatuses.compute(pod("Always"), List.of(), List.of(crashing), "10.0.0.2", "h", true, NOW);
        var container = status.getContainerStatuses().get(0);
        assertEquals(2, container.getRestartCount());
        assertEquals("CrashLoopBackOff", container.getState().getWaiting().getReason());
        assertEquals(1, container.getLastState().getTerminated().getExitCode());
        assertEquals("Error", container.getLastState().getTerminated().getReason());
        assertEquals("runc://id-a2", container.getContainerID());
        assertFalse(container.getReady());
        assertEquals("Running", status.getPhase());
    }

    @Test
    void readinessAndConditionsKeepTransitionTimesWhileUnchanged() {
        ContainerView unready = new ContainerView("a", "busybox", container("a", 0, ContainerState.RUNNING, 0, ""), null, null,
                false, true);
        PodStatus first = PodStatuses.compute(pod("Always"), List.of(), List.of(unready), "10.0.0.2", "h", true, NOW);
        PodCondition ready = first.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().get();
        assertEquals("False", ready.getStatus());
        assertEquals("ContainersNotReady", ready.getReason());
        assertEquals("containers with unready status: [a]", ready.getMessage());
        assertTrue(first.getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType())));
        assertEquals("10.0.0.2", first.getPodIP());
        assertEquals("Running", first.getPhase());
        assertNull(first.getContainerStatuses().get(0).getLastState().getTerminated());

        Pod later = pod("Always");
        later.setStatus(first);
        PodStatus second = PodStatuses.compute(later, List.of(), List.of(unready), "10.0.0.2", "h", true, NOW.plusSeconds(30));
        assertEquals(ready.getLastTransitionTime(), second.getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .findFirst().get().getLastTransitionTime());
        ContainerView nowReady = new ContainerView("a", "busybox", unready.latest(), null, null, true, true);
        PodStatus third = PodStatuses.compute(later, List.of(), List.of(nowReady), "10.0.0.2", "h", true, NOW.plusSeconds(30));
        PodCondition readyNow = third.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().get();
        assertEquals("True", readyNow.getStatus());
        assertEquals("2026-01-01T00:00:40Z", readyNow.getLastTransitionTime());
        assertEquals(first.getStartTime(), third.getStartTime());
    }
}
