package io.kubundle.runtime.sim.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

/**
 * What a simulated kubelet reports for a pod: the status a real one would write once the
 * containers run, and once they finish when the pod asks to ({@value #RUN_SECONDS} for how long,
 * {@value #EXIT_CODE} for how). Pure: the caller writes the status.
 */
final class SimPods {
    /** Annotation: seconds the containers run before they exit; absent: they run until deleted. */
    static final String RUN_SECONDS = "sim.kubundle.io/run-seconds";
    /** Annotation: the exit code when they exit (default 0). */
    static final String EXIT_CODE = "sim.kubundle.io/exit-code";

    private SimPods() {
    }

    /** What to do with a pod now. */
    sealed interface Step {
    }

    /** Write this status. */
    record Report(PodStatus status) implements Step {
    }

    /** Look again after this long. */
    record Later(Duration delay) implements Step {
    }

    /** Nothing to do. */
    record Nothing() implements Step {
    }

    static Step next(Pod pod, String hostIp, String podIp, Instant now) {
        PodStatus status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return new Nothing();
        }
        if (!"Running".equals(phase)) {
            return new Report(running(pod, hostIp, podIp, now));
        }
        if (!readyConditionsTrue(status)) {
            // marked not ready while the node was away (the node lifecycle controller does that): report again
            return new Report(readyAgain(status, now));
        }
        Integer runSeconds = annotation(pod, RUN_SECONDS);
        if (runSeconds == null || status.getStartTime() == null) {
            return new Nothing();
        }
        Instant exitAt = Instant.parse(status.getStartTime()).plusSeconds(runSeconds);
        if (now.isBefore(exitAt)) {
            return new Later(Duration.between(now, exitAt));
        }
        Integer exitCode = annotation(pod, EXIT_CODE);
        return new Report(exited(pod, status, exitCode == null ? 0 : exitCode, now));
    }

    private static Integer annotation(Pod pod, String name) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        if (annotations == null || annotations.get(name) == null) {
            return null;
        }
        try {
            return Integer.parseInt(annotations.get(name).strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static PodStatus running(Pod pod, String hostIp, String podIp, Instant now) {
        String time = now.toString();
        List<ContainerStatus> containers = new ArrayList<>();
        for (Container container : pod.getSpec().getContainers()) {
            containers.add(new ContainerStatusBuilder().withName(container.getName()).withImage(container.getImage())
                    .withImageID("sim://" + container.getImage()).withContainerID("sim://" + pod.getMetadata().getUid() + "/" + container.getName())
                    .withReady(true).withStarted(true).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(time).endRunning().endState().build());
        }
        return new PodStatusBuilder().withPhase("Running").withHostIP(hostIp).withPodIP(podIp).addNewPodIP(podIp)
                .withStartTime(time).withQosClass("BestEffort")
                .withConditions(condition("PodReadyToStartContainers", "True", time), condition("Initialized", "True", time),
                        condition("Ready", "True", time), condition("ContainersReady", "True", time),
                        condition("PodScheduled", "True", time))
                .withContainerStatuses(containers).build();
    }

    private static PodStatus exited(Pod pod, PodStatus status, int exitCode, Instant now) {
        String time = now.toString();
        String reason = exitCode == 0 ? "Completed" : "Error";
        List<ContainerStatus> containers = new ArrayList<>();
        for (ContainerStatus running : status.getContainerStatuses()) {
            String startedAt = running.getState() != null && running.getState().getRunning() != null
                    ? running.getState().getRunning().getStartedAt() : status.getStartTime();
            containers.add(new ContainerStatusBuilder(running).withReady(false).withStarted(false)
                    .withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason).withStartedAt(startedAt)
                    .withFinishedAt(time).withContainerID(running.getContainerID()).endTerminated().endState().build());
        }
        List<PodCondition> conditions = new ArrayList<>();
        for (PodCondition condition : status.getConditions()) {
            conditions.add(isReadiness(condition) ? new PodConditionBuilder(condition).withStatus("False").withReason("PodCompleted")
                    .withLastTransitionTime(time).build() : condition);
        }
        return new PodStatusBuilder(status).withPhase(exitCode == 0 ? "Succeeded" : "Failed").withConditions(conditions)
                .withContainerStatuses(containers).build();
    }

    private static boolean readyConditionsTrue(PodStatus status) {
        return status.getConditions().stream().filter(SimPods::isReadiness).allMatch(c -> "True".equals(c.getStatus()));
    }

    private static boolean isReadiness(PodCondition condition) {
        return condition.getType().equals("Ready") || condition.getType().equals("ContainersReady");
    }

    private static PodStatus readyAgain(PodStatus status, Instant now) {
        List<PodCondition> conditions = new ArrayList<>();
        for (PodCondition condition : status.getConditions()) {
            conditions.add(isReadiness(condition) && !"True".equals(condition.getStatus())
                    ? new PodConditionBuilder(condition).withStatus("True").withReason(null).withMessage(null)
                            .withLastTransitionTime(now.toString()).build()
                    : condition);
        }
        return new PodStatusBuilder(status).withConditions(conditions).build();
    }

    private static PodCondition condition(String type, String value, String time) {
        return new PodConditionBuilder().withType(type).withStatus(value).withLastTransitionTime(time).build();
    }
}
