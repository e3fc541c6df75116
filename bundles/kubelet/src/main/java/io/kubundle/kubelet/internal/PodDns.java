package io.kubundle.kubelet.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import io.kubundle.api.dns.ClusterDns;
import io.kubundle.api.runtime.SandboxConfig.DnsConfig;

/**
 * A pod's {@code resolv.conf}, as the kubelet makes it from {@code dnsPolicy} and
 * {@code dnsConfig}: {@code ClusterFirst} (the default) uses the cluster DNS with the namespace's
 * search list; {@code ClusterFirstWithHostNet} likewise for host-network pods, which otherwise get
 * the node's; {@code Default} is the node's; {@code None} only what {@code dnsConfig} says.
 * {@code dnsConfig} adds servers, searches and options (an option of the same name replaces one).
 * Without a cluster DNS on the node, cluster policies fall back to the node's file, as the kubelet
 * does when {@code clusterDNS} is unset.
 */
final class PodDns {
    /** The resolver's limits: three nameservers, 32 search domains. */
    private static final int MAX_SERVERS = 3;
    private static final int MAX_SEARCHES = 32;

    private PodDns() {
    }

    /** The pod's settings, or {@code null} for the node's own {@code /etc/resolv.conf}. */
    static DnsConfig of(Pod pod, Optional<ClusterDns> clusterDns) {
        String policy = Optional.ofNullable(pod.getSpec().getDnsPolicy()).orElse("ClusterFirst");
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        boolean cluster = policy.equals("ClusterFirstWithHostNet") || policy.equals("ClusterFirst") && !hostNetwork;
        PodDNSConfig extra = pod.getSpec().getDnsConfig();
        List<String> servers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        if (cluster && clusterDns.isPresent()) {
            ClusterDns dns = clusterDns.get();
            servers.add(dns.address());
            searches.addAll(dns.searches(pod.getMetadata().getNamespace()));
            dns.options().forEach(option -> options.put(optionName(option), option));
        } else if (!policy.equals("None") && extra == null) {
            return null;
        }
        if (extra != null) {
            servers.addAll(Optional.ofNullable(extra.getNameservers()).orElse(List.of()));
            searches.addAll(Optional.ofNullable(extra.getSearches()).orElse(List.of()));
            for (PodDNSConfigOption option : Optional.ofNullable(extra.getOptions()).orElse(List.<PodDNSConfigOption>of())) {
                String text = option.getValue() == null ? option.getName() : option.getName() + ":" + option.getValue();
                options.put(option.getName(), text);
            }
        }
        return new DnsConfig(distinct(servers, MAX_SERVERS), distinct(searches, MAX_SEARCHES), List.copyOf(options.values()));
    }

    /** The values without repeats, at most {@code most} of them. */
    private static List<String> distinct(List<String> values, int most) {
        return new ArrayList<>(new LinkedHashSet<>(values)).stream().limit(most).toList();
    }

    private static String optionName(String option) {
        int colon = option.indexOf(':');
        return colon < 0 ? option : option.substring(0, colon);
    }
}
