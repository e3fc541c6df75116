package io.kubundle.api.runtime;

import java.util.Map;

/**
 * What a pod sandbox is made from.
 *
 * @param uid the pod's uid: one ready sandbox per uid
 * @param namespace the pod's namespace
 * @param name the pod's name
 * @param attempt how many sandboxes this pod had before (0 for the first)
 * @param hostname the containers' hostname (the pod's {@code spec.hostname}, else its name)
 * @param netnsPath the network namespace every container joins (a bind-mounted file such as
 *        {@code /run/netns/NAME}), made and wired by the kubelet; {@code null} for
 *        {@code hostNetwork} pods, which share the node's
 * @param cgroupParent the pod's cgroup, relative to each controller's root (for example
 *        {@code kubundle/pod<uid>}); the runtime puts the containers' cgroups under it
 * @param resources the pod's overall limits (the sum of its containers'), applied to the parent
 * @param logDirectory where the containers' log files go ({@code /var/log/pods/NS_NAME_UID})
 * @param labels kept with the sandbox and returned by {@link ContainerRuntime#listSandboxes()}
 * @param annotations kept with the sandbox likewise
 */
public record SandboxConfig(String uid, String namespace, String name, int attempt, String hostname, String netnsPath,
        String cgroupParent, Resources resources, String logDirectory, Map<String, String> labels,
        Map<String, String> annotations) {
    public SandboxConfig {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }
}
