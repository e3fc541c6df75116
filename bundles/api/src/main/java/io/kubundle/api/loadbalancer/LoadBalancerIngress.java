package io.kubundle.api.loadbalancer;

/**
 * One ingress point of a load balancer, as in a Service's {@code status.loadBalancer.ingress}: an
 * IP address, a host name, or both.
 *
 * @param ip the address (IPv4 or IPv6 text), or null
 * @param hostname a DNS name, or null
 * @param ipMode {@code VIP} (traffic arrives with the address as destination) or {@code Proxy}
 *        (the load balancer rewrites it); null for Kubernetes' default, {@code VIP}
 */
public record LoadBalancerIngress(String ip, String hostname, String ipMode) {
    public LoadBalancerIngress {
        if ((ip == null || ip.isEmpty()) && (hostname == null || hostname.isEmpty())) {
            throw new IllegalArgumentException("an ingress needs an ip or a hostname");
        }
    }

    /** An ingress by address, in mode VIP. */
    public static LoadBalancerIngress ofIp(String ip) {
        return new LoadBalancerIngress(ip, null, "VIP");
    }
}
