package io.kubundle.kubelet.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.kubundle.api.runtime.ContainerStatus;

/**
 * A pod's status as the kubelet reports it, computed from what the runtime says of its containers:
 * phase (Kubernetes' rules), conditions, and each container's state, last state, restart count and
 * readiness.
 */
final class PodStatuses {
    static final String PENDING = "Pending";
    static final String RUNNING = "Running";
    static final String SUCCEEDED = "Succeeded";
    static final String FAILED = "Failed";

    private PodStatuses() {
    }

    /**
     * The status to report.
     *
     * @param pod the pod as the API server has it (its status keeps what the kubelet does not own:
     *        PodScheduled, start time, transition times of unchanged conditions)
     * @param init the init containers, in order
     * @param regular the containers
     * @param sandboxReady whether the pod's sandbox and network are up
     */
    static PodStatus compute(Pod pod, List<ContainerView> init, List<ContainerView> regular, String podIp, String hostIp,
            boolean sandboxReady, Instant now) {
        PodStatus old = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        String restartPolicy = restartPolicy(pod);
        boolean initialized = init.stream().allMatch(PodStatuses::succeeded);
        String phase = phase(old.getPhase(), restartPolicy, init, regular, initialized);
        boolean terminal = SUCCEEDED.equals(phase) || FAILED.equals(phase);

        List<PodCondition> conditions = new ArrayList<>();
        old.getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())).forEach(conditions::add);
        conditions.add(condition(old, "PodReadyToStartContainers", sandboxReady && !terminal, null, null, now));
        List<String> notInitialized = init.stream().filter(c -> !succeeded(c)).map(ContainerView::name).toList();
        conditions.add(condition(old, "Initialized", notInitialized.isEmpty(), "ContainersNotInitialized",
                "containers with incomplete status: " + names(notInitialized), now));
        List<String> unready = regular.stream().filter(c -> !isReady(c)).map(ContainerView::name).toList();
        boolean ready = unready.isEmpty() && !terminal;
        String unreadyReason = terminal ? "PodCompleted" : "ContainersNotReady";
        String unreadyMessage = terminal ? null : "containers with unready status: " + names(unready);
        conditions.add(condition(old, "ContainersReady", ready, unreadyReason, unreadyMessage, now));
        conditions.add(condition(old, "Ready", ready, unreadyReason, unreadyMessage, now));

        PodStatusBuilder status = new PodStatusBuilder().withPhase(phase).withConditions(conditions).withHostIP(hostIp)
                .withStartTime(old.getStartTime() != null ? old.getStartTime() : now.truncatedTo(ChronoUnit.SECONDS).toString())
                .withQosClass(old.getQosClass());
        if (hostIp != null) {
            status.addNewHostIP().withIp(hostIp).endHostIP();
        }
        if (podIp != null) {
            status.withPodIP(podIp).withPodIPs(new PodIP(podIp));
        } else if (old.getPodIP() != null) {
            status.withPodIP(old.getPodIP()).withPodIPs(old.getPodIPs());
        }
        status.withInitContainerStatuses(init.stream().map(c -> containerStatus(c, "PodInitializing", true)).toList());
        String waitingReason = initialized ? "ContainerCreating" : "PodInitializing";
        status.withContainerStatuses(regular.stream().map(c -> containerStatus(c, waitingReason, false)).toList());
        return status.build();
    }

    static String restartPolicy(Pod pod) {
        String policy = pod.getSpec().getRestartPolicy();
        return policy == null || policy.isEmpty() ? "Always" : policy;
    }

    private static String names(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }

    static boolean succeeded(ContainerView view) {
        ContainerStatus latest = view.latest();
        return latest != null && latest.state() == io.kubundle.api.runtime.ContainerState.EXITED && latest.exitCode() == 0;
    }

    private static boolean running(ContainerView view) {
        return view.latest() != null && view.latest().state() == io.kubundle.api.runtime.ContainerState.RUNNING;
    }

    private static boolean isReady(ContainerView view) {
        return running(view) && view.ready() && view.started();
    }

    /**
     * Kubernetes' phase rules: Pending until every init container succeeded and every container
     * started once; then Running while any runs or will restart; Succeeded or Failed once all have
     * terminated for good. A terminal phase never changes.
     */
    static String phase(String oldPhase, String restartPolicy, List<ContainerView> init, List<ContainerView> regular,
            boolean initialized) {
        if (SUCCEEDED.equals(oldPhase) || FAILED.equals(oldPhase)) {
            return oldPhase;
        }
        if (!initialized) {
            boolean initFailedForGood = "Never".equals(restartPolicy) && init.stream().anyMatch(c -> c.latest() != null
                    && c.latest().state() == io.kubundle.api.runtime.ContainerState.EXITED && c.latest().exitCode() != 0);
            return initFailedForGood ? FAILED : PENDING;
        }
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerView view : regular) {
            ContainerStatus latest = view.latest();
            if (latest == null || latest.state() == io.kubundle.api.runtime.ContainerState.CREATED
                    || latest.state() == io.kubundle.api.runtime.ContainerState.UNKNOWN) {
                waiting++;
            } else if (latest.state() == io.kubundle.api.runtime.ContainerState.RUNNING) {
                running++;
            } else {
                stopped++;
                if (latest.exitCode() == 0) {
                    succeeded++;
                }
            }
        }
        if (waiting > 0) {
            return PENDING;
        }
        if (running > 0) {
            return RUNNING;
        }
        if (stopped == 0) {
            return PENDING;
        }
        if ("Always".equals(restartPolicy)) {
            return RUNNING;
        }
        if (stopped == succeeded) {
            return SUCCEEDED;
        }
        return "Never".equals(restartPolicy) ? FAILED : RUNNING;
    }

    private static PodCondition condition(PodStatus old, String type, boolean value, String falseReason, String falseMessage,
            Instant now) {
        String status = value ? "True" : "False";
        String transition = old.getConditions().stream().filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
                .map(PodCondition::getLastTransitionTime).filter(Objects::nonNull).findFirst()
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        PodConditionBuilder condition = new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(transition);
        if (!value && falseReason != null) {
            condition.withReason(falseReason).withMessage(falseMessage);
        }
        return condition.build();
    }

    private static io.fabric8.kubernetes.api.model.ContainerStatus containerStatus(ContainerView view, String defaultWaiting,
            boolean init) {
        ContainerStatus latest = view.latest();
        ContainerStatusBuilder status = new ContainerStatusBuilder().withName(view.name()).withImage(view.image())
                .withImageID(latest == null || latest.imageId() == null ? "" : latest.imageId())
                .withRestartCount(latest == null ? 0 : latest.attempt())
                .withReady(init ? succeeded(view) : isReady(view))
                .withStarted(init ? null : running(view) && view.started());
        if (latest != null) {
            status.withContainerID(containerId(latest));
        }
        ContainerState lastState = null;
        ContainerState state;
        if (latest == null || latest.state() == io.kubundle.api.runtime.ContainerState.CREATED
                || latest.state() == io.kubundle.api.runtime.ContainerState.UNKNOWN) {
            ContainerView.Waiting waiting = view.waiting() != null ? view.waiting() : new ContainerView.Waiting(defaultWaiting, null);
            state = waitingState(waiting);
            if (view.previous() != null) {
                lastState = terminatedState(view.previous());
            }
        } else if (latest.state() == io.kubundle.api.runtime.ContainerState.RUNNING) {
            state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(latest.startedAt())).endRunning().build();
            if (view.previous() != null) {
                lastState = terminatedState(view.previous());
            }
        } else if (view.waiting() != null) {
            // exited and about to be restarted: waiting now, the exit is the last state
            state = waitingState(view.waiting());
            lastState = terminatedState(latest);
        } else {
            state = terminatedState(latest);
            if (view.previous() != null) {
                lastState = terminatedState(view.previous());
            }
        }
        status.withState(state);
        status.withLastState(lastState == null ? new ContainerState() : lastState);
        return status.build();
    }

    private static ContainerState waitingState(ContainerView.Waiting waiting) {
        return new ContainerStateBuilder().withNewWaiting().withReason(waiting.reason()).withMessage(waiting.message()).endWaiting()
                .build();
    }

    private static ContainerState terminatedState(ContainerStatus container) {
        return new ContainerStateBuilder().withNewTerminated().withExitCode(container.exitCode())
                .withReason(container.reason() == null || container.reason().isEmpty() ? null : container.reason())
                .withMessage(container.message() == null || container.message().isEmpty() ? null : container.message())
                .withStartedAt(time(container.startedAt())).withFinishedAt(time(container.finishedAt()))
                .withContainerID(containerId(container)).endTerminated().build();
    }

    static String containerId(ContainerStatus container) {
        return container.runtime() + "://" + container.id();
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
