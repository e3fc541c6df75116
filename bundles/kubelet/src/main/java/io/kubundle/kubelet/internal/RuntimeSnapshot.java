package io.kubundle.kubelet.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxStatus;

/**
 * What every runtime present runs, relisted about once a second (the kubelet's PLEG): which
 * sandboxes and containers exist, by pod. A relist returns the pods whose containers changed
 * state, so their workers look at them at once rather than at the next resync.
 */
final class RuntimeSnapshot {
    static final String POD_UID = "io.kubernetes.pod.uid";
    static final String POD_NAME = "io.kubernetes.pod.name";
    static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    static final String CONTAINER_NAME = "io.kubernetes.container.name";

    /** A sandbox with the runtime that has it. */
    record Sandbox(ContainerRuntime runtime, SandboxStatus status) {
        String podKey() {
            return status.config().namespace() + "/" + status.config().name();
        }
    }

    private volatile List<Sandbox> sandboxes = List.of();
    private volatile Map<String, List<ContainerStatus>> containersBySandbox = Map.of();
    private volatile Map<String, String> stateById = Map.of();
    /** The pod key of each sandbox and container id, to name the pod of one that disappeared. */
    private volatile Map<String, String> podOf = Map.of();

    /**
     * Lists every runtime again.
     *
     * @return the keys ({@code namespace/name}) of pods whose sandboxes or containers changed
     */
    Set<String> relist(List<ContainerRuntime> runtimes) {
        List<Sandbox> nextSandboxes = new ArrayList<>();
        Map<String, List<ContainerStatus>> nextContainers = new HashMap<>();
        Map<String, String> nextStates = new HashMap<>();
        Map<String, String> podOfSandbox = new HashMap<>();
        for (ContainerRuntime runtime : runtimes) {
            try {
                for (SandboxStatus sandbox : runtime.listSandboxes()) {
                    Sandbox entry = new Sandbox(runtime, sandbox);
                    nextSandboxes.add(entry);
                    podOfSandbox.put(sandbox.id(), entry.podKey());
                    nextStates.put(sandbox.id(), sandbox.ready() ? "ready" : "notready");
                }
                for (ContainerStatus container : runtime.listContainers()) {
                    nextContainers.computeIfAbsent(container.sandboxId(), id -> new ArrayList<>()).add(container);
                    nextStates.put(container.id(), container.state().name());
                }
            } catch (RuntimeFailure | RuntimeException e) {
                System.getLogger(RuntimeSnapshot.class.getName()).log(System.Logger.Level.WARNING,
                        "relisting runtime " + runtime.name() + " failed: " + e.getMessage());
                return Set.of(); // keep the last good picture rather than think everything vanished
            }
        }
        Set<String> changed = new HashSet<>();
        Map<String, String> before = stateById;
        Set<String> ids = new HashSet<>(before.keySet());
        ids.addAll(nextStates.keySet());
        Map<String, String> sandboxOfContainer = new HashMap<>();
        nextContainers.forEach((sandbox, list) -> list.forEach(c -> sandboxOfContainer.put(c.id(), sandbox)));
        Map<String, String> previousPodOf = podOf;
        for (String id : ids) {
            if (!java.util.Objects.equals(before.get(id), nextStates.get(id))) {
                String pod = podOfSandbox.get(sandboxOfContainer.getOrDefault(id, id));
                if (pod == null) {
                    pod = previousPodOf.get(id);
                }
                if (pod != null) {
                    changed.add(pod);
                }
            }
        }
        Map<String, String> nextPodOf = new HashMap<>();
        for (String id : nextStates.keySet()) {
            String pod = podOfSandbox.get(sandboxOfContainer.getOrDefault(id, id));
            if (pod != null) {
                nextPodOf.put(id, pod);
            }
        }
        sandboxes = List.copyOf(nextSandboxes);
        containersBySandbox = Map.copyOf(nextContainers);
        stateById = Map.copyOf(nextStates);
        podOf = Map.copyOf(nextPodOf);
        return changed;
    }

    /** Every sandbox, for housekeeping. */
    List<Sandbox> sandboxes() {
        return sandboxes;
    }

    /** The sandboxes of pods named {@code namespace/name}, whatever their uid. */
    List<Sandbox> sandboxesOf(String namespace, String name) {
        return sandboxes.stream().filter(s -> namespace.equals(s.status().config().namespace()) && name.equals(s.status().config().name()))
                .toList();
    }

    /** Every container as of the last relist. */
    List<ContainerStatus> containers() {
        return containersBySandbox.values().stream().flatMap(List::stream).toList();
    }
}
