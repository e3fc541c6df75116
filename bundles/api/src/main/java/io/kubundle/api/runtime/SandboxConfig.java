package io.kubundle.api.runtime;

import java.util.List;
import java.util.Map;
import java.util.Objects;

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
 * @param dns what the containers' {@code /etc/resolv.conf} says, as CRI's {@code DNSConfig}; {@code null}
 *        for the node's own {@code /etc/resolv.conf} (the pod's {@code dnsPolicy: Default})
 * @param hostEntries lines the containers' {@code /etc/hosts} has after localhost, as the kubelet's
 *        managed hosts file: the pod's own address and names, then its {@code hostAliases}; ignored
 *        for a pod on the host's network, which gets the node's
 * @since 1.3
 */
public record SandboxConfig(String uid, String namespace, String name, int attempt, String hostname, String netnsPath,
        String cgroupParent, Resources resources, String logDirectory, Map<String, String> labels,
        Map<String, String> annotations, DnsConfig dns, List<HostEntry> hostEntries) {
    public SandboxConfig {
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
        // null: a sandbox recorded before 1.3
        hostEntries = hostEntries == null ? List.of() : List.copyOf(hostEntries);
    }

    /** A sandbox whose {@code /etc/hosts} has localhost only. */
    public SandboxConfig(String uid, String namespace, String name, int attempt, String hostname, String netnsPath,
            String cgroupParent, Resources resources, String logDirectory, Map<String, String> labels,
            Map<String, String> annotations, DnsConfig dns) {
        this(uid, namespace, name, attempt, hostname, netnsPath, cgroupParent, resources, logDirectory, labels, annotations, dns,
                List.of());
    }

    /** A sandbox with the node's own {@code /etc/resolv.conf}. */
    public SandboxConfig(String uid, String namespace, String name, int attempt, String hostname, String netnsPath,
            String cgroupParent, Resources resources, String logDirectory, Map<String, String> labels,
            Map<String, String> annotations) {
        this(uid, namespace, name, attempt, hostname, netnsPath, cgroupParent, resources, logDirectory, labels, annotations, null);
    }

    /**
     * One line of {@code /etc/hosts}.
     *
     * @param ip the address
     * @param names the names for it, the canonical one first
     */
    public record HostEntry(String ip, List<String> names) {
        public HostEntry {
            Objects.requireNonNull(ip, "ip");
            names = List.copyOf(names);
        }
    }

    /**
     * A pod's resolver settings.
     *
     * @param servers nameserver addresses, at most three are used
     * @param searches search domains
     * @param options resolver options such as {@code ndots:5}
     */
    public record DnsConfig(List<String> servers, List<String> searches, List<String> options) {
        public DnsConfig {
            servers = List.copyOf(servers);
            searches = List.copyOf(searches);
            options = List.copyOf(options);
        }

        /** The {@code resolv.conf} text: nameserver lines, then search and options lines when there are any. */
        public String resolvConf() {
            StringBuilder text = new StringBuilder();
            servers.forEach(server -> text.append("nameserver ").append(server).append('\n'));
            if (!searches.isEmpty()) {
                text.append("search ").append(String.join(" ", searches)).append('\n');
            }
            if (!options.isEmpty()) {
                text.append("options ").append(String.join(" ", options)).append('\n');
            }
            return text.toString();
        }
    }
}
