package io.kubundle.proxy.iptables.internal;

import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.Hashes;
import io.kubundle.proxy.support.ServicePort;

/**
 * Chain names as kube-proxy makes them: a prefix and the first 16 characters of the base32
 * (RFC 4648, upper case) of the SHA-256 of {@code "ns/name:port" + protocol} (lower case), plus
 * {@code "ip:port"} for an endpoint's chain. With the default prefix {@code KUBE} they are the
 * names kube-proxy gives the same service ({@code KUBE-SVC-...}, {@code KUBE-SEP-...}).
 */
final class ChainNames {
    /** iptables' longest chain name (XT_EXTENSION_MAXNAMELEN less the NUL). */
    static final int MAX_LENGTH = 28;

    private final String prefix;
    /** Hashes made so far: a name is asked for several times a sync, and again at every sync. */
    private final java.util.Map<String, String> hashes = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param prefix {@code KUBE} as kube-proxy, or another to run beside one */
    ChainNames(String prefix) {
        if (!prefix.matches("[A-Z][A-Z0-9]*") || prefix.length() + "-SEP-".length() + 16 > MAX_LENGTH) {
            throw new IllegalArgumentException("chain prefix must be upper-case letters and digits, at most "
                    + (MAX_LENGTH - 21) + " characters: " + prefix);
        }
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** Whether a chain is one of ours: it starts with the prefix and a dash. */
    boolean owns(String chain) {
        return chain.startsWith(prefix + "-");
    }

    String fixed(String suffix) {
        return prefix + "-" + suffix;
    }

    String services() {
        return fixed("SERVICES");
    }

    String externalServices() {
        return fixed("EXTERNAL-SERVICES");
    }

    String nodePorts() {
        return fixed("NODEPORTS");
    }

    String markMasq() {
        return fixed("MARK-MASQ");
    }

    String postrouting() {
        return fixed("POSTROUTING");
    }

    String forward() {
        return fixed("FORWARD");
    }

    String firewall() {
        return fixed("FIREWALL");
    }

    /** The filter chain dropping load-balancer traffic that {@code loadBalancerSourceRanges} do not allow. */
    String proxyFirewall() {
        return fixed("PROXY-FIREWALL");
    }

    /** The cluster chain of a service port: load balancing over all its endpoints. */
    String service(ServicePort port) {
        return prefix + "-SVC-" + cachedHash(port.portNameString() + port.lowerProtocol());
    }

    /** The local chain: load balancing over this node's endpoints ({@code externalTrafficPolicy: Local}). */
    String serviceLocal(ServicePort port) {
        return prefix + "-SVL-" + cachedHash(port.portNameString() + port.lowerProtocol());
    }

    /** The chain external traffic (node ports, external and load-balancer IPs) enters. */
    String external(ServicePort port) {
        return prefix + "-EXT-" + cachedHash(port.portNameString() + port.lowerProtocol());
    }

    /** The chain load-balancer IP traffic enters when {@code loadBalancerSourceRanges} are set: the allowed sources go on. */
    String firewall(ServicePort port) {
        return prefix + "-FW-" + cachedHash(port.portNameString() + port.lowerProtocol());
    }

    /** An endpoint's chain: the DNAT. */
    String endpoint(ServicePort port, Endpoint endpoint) {
        return prefix + "-SEP-" + cachedHash(port.portNameString() + port.lowerProtocol() + endpoint.address());
    }

    private String cachedHash(String text) {
        String known = hashes.get(text);
        if (known == null) {
            known = hash(text);
            if (hashes.size() > 200_000) {
                // endpoints come and go: start again rather than grow without end
                hashes.clear();
            }
            hashes.put(text, known);
        }
        return known;
    }

    /** base32(sha256(text))[:16]. */
    static String hash(String text) {
        return Hashes.hash(text);
    }
}
