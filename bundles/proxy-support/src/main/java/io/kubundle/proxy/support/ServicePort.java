package io.kubundle.proxy.support;

import java.util.List;
import java.util.Locale;

/**
 * One port of one Service, as a proxy needs it: what traffic it catches and how it is spread.
 *
 * @param namespace the Service's namespace
 * @param name the Service's name
 * @param portName the port's name, empty for a single unnamed port
 * @param protocol {@code TCP}, {@code UDP} or {@code SCTP}
 * @param clusterIp the IPv4 cluster IP
 * @param port the service port
 * @param nodePort the node port, 0 for none
 * @param externalIps {@code spec.externalIPs} and {@code status.loadBalancer.ingress[].ip}: caught on arrival
 * @param affinitySeconds {@code sessionAffinity: ClientIP}'s timeout, 0 without affinity
 * @param externalLocal {@code externalTrafficPolicy: Local}: external traffic only to this node's endpoints
 * @param internalLocal {@code internalTrafficPolicy: Local}: cluster IP traffic only to this node's endpoints
 * @param loadBalancerIps the load-balancer ingress IPs among {@code externalIps}
 * @param sourceRanges {@code loadBalancerSourceRanges} (IPv4 CIDRs): when not empty, only these
 *        clients reach the load-balancer IPs
 */
public record ServicePort(String namespace, String name, String portName, String protocol, String clusterIp, int port, int nodePort,
        List<String> externalIps, int affinitySeconds, boolean externalLocal, boolean internalLocal, List<String> loadBalancerIps,
        List<String> sourceRanges) {

    public ServicePort {
        externalIps = List.copyOf(externalIps);
        loadBalancerIps = List.copyOf(loadBalancerIps);
        sourceRanges = List.copyOf(sourceRanges);
    }

    /** A port with {@code internalTrafficPolicy: Cluster}, no load-balancer IPs and no source ranges. */
    public ServicePort(String namespace, String name, String portName, String protocol, String clusterIp, int port, int nodePort,
            List<String> externalIps, int affinitySeconds, boolean externalLocal) {
        this(namespace, name, portName, protocol, clusterIp, port, nodePort, externalIps, affinitySeconds, externalLocal, false, List.of(),
                List.of());
    }

    /** kube-proxy's {@code ServicePortName.String()}: {@code ns/name:port}, or {@code ns/name} for an unnamed port. */
    public String portNameString() {
        return namespace + "/" + name + (portName.isEmpty() ? "" : ":" + portName);
    }

    /** The protocol in lower case, as iptables and nft spell it ({@code tcp}). */
    public String lowerProtocol() {
        return protocol.toLowerCase(Locale.ROOT);
    }

    /** Whether traffic arrives from outside: a node port, an external or a load-balancer IP. */
    public boolean hasExternal() {
        return nodePort > 0 || !externalIps.isEmpty();
    }

    /** Whether {@code loadBalancerSourceRanges} limit who reaches the load-balancer IPs. */
    public boolean hasFirewall() {
        return !sourceRanges.isEmpty() && !loadBalancerIps.isEmpty();
    }
}
