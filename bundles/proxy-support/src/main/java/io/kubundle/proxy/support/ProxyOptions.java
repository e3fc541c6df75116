package io.kubundle.proxy.support;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The configuration keys every proxy takes (its component's properties, from
 * {@code etc/<pid>.cfg}), with kube-proxy's defaults. Each proxy reads its own keys besides
 * ({@code chainPrefix}, {@code table}, ...).
 *
 * @param nodeName whose endpoints are local and whose Node gives the pod CIDR ({@code nodeName}; default
 *        {@code --node-name}, else the host name)
 * @param clusterCidr traffic from here is pod traffic, not masqueraded to cluster IPs ({@code clusterCidr};
 *        default empty: the Node's {@code spec.podCIDR})
 * @param masqueradeAll masquerade all traffic to cluster IPs ({@code masqueradeAll}, false)
 * @param masqueradeBit the packet mark bit asking for masquerade ({@code masqueradeBit}, 14: 0x4000)
 * @param nodePortCidrs addresses node ports answer on ({@code nodePortAddresses}, comma-separated; empty: every local address)
 * @param localhostNodePorts node ports also on 127.0.0.1 ({@code localhostNodePorts}, true)
 * @param minSyncInterval least time between syncs ({@code minSyncMillis}, 100)
 * @param fullSyncPeriod time between full syncs ({@code fullSyncMinutes}, 60)
 * @param cleanupOnStop remove every rule at deactivation ({@code cleanupOnStop}, true)
 * @param firstSyncWait how long activation waits for the first sync ({@code firstSyncWaitMillis}, 10000), so that a
 *        proxy swapped in serves before the old one's rules go
 */
public record ProxyOptions(String nodeName, String clusterCidr, boolean masqueradeAll, int masqueradeBit, List<String> nodePortCidrs,
        boolean localhostNodePorts, Duration minSyncInterval, Duration fullSyncPeriod, boolean cleanupOnStop, Duration firstSyncWait) {

    public ProxyOptions {
        nodePortCidrs = List.copyOf(nodePortCidrs);
        mark(masqueradeBit);
    }

    /** The packet mark of a masquerade bit ({@code 0x4000} for 14); fails for a bit outside 0 to 31. */
    public static String mark(int masqueradeBit) {
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new IllegalArgumentException("masqueradeBit must be 0 to 31: " + masqueradeBit);
        }
        return "0x" + Integer.toHexString(1 << masqueradeBit);
    }

    /**
     * Reads the component's properties.
     *
     * @param commandLineNodeName the kubelet's {@code --node-name} (framework property {@code kubundle.kubelet.node-name}), or null
     */
    public static ProxyOptions from(Map<String, ?> properties, String commandLineNodeName) {
        return new ProxyOptions(ClusterWatch.nodeName(string(properties, "nodeName", ""), commandLineNodeName),
                string(properties, "clusterCidr", ""), bool(properties, "masqueradeAll", false), integer(properties, "masqueradeBit", 14),
                cidrs(string(properties, "nodePortAddresses", "")), bool(properties, "localhostNodePorts", true),
                Duration.ofMillis(Math.max(0, integer(properties, "minSyncMillis", 100))),
                Duration.ofMinutes(Math.max(1, integer(properties, "fullSyncMinutes", 60))), bool(properties, "cleanupOnStop", true),
                Duration.ofMillis(Math.max(0, integer(properties, "firstSyncWaitMillis", 10_000))));
    }

    /** A property as a trimmed string, or the default. */
    public static String string(Map<String, ?> properties, String key, String defaultValue) {
        Object value = properties.get(key);
        return value == null ? defaultValue : value.toString().strip();
    }

    static boolean bool(Map<String, ?> properties, String key, boolean defaultValue) {
        String value = string(properties, key, "");
        return value.isEmpty() ? defaultValue : Boolean.parseBoolean(value);
    }

    static int integer(Map<String, ?> properties, String key, int defaultValue) {
        String value = string(properties, key, "");
        try {
            return value.isEmpty() ? defaultValue : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number: " + value, e);
        }
    }

    static List<String> cidrs(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
