package io.kubundle.api.network;

import java.util.List;

/**
 * What {@link PodNetwork#add} gave a pod.
 *
 * @param plugin the name of the plugin that made it
 * @param interfaceName the interface inside the pod
 * @param ips the pod's addresses (IPv4 first), without prefix length
 * @param gateway the default gateway, or {@code null}
 */
public record Attachment(String plugin, String interfaceName, List<String> ips, String gateway) {
    public Attachment {
        ips = List.copyOf(ips);
    }
}
