package io.kubundle.api.loadbalancer;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One Service a provider is asked about.
 *
 * @param namespace the Service's namespace
 * @param name the Service's name
 * @param uid the Service's uid
 * @param service the whole Service as a read-only JSON tree ({@code Map}, {@code List}, {@code
 *        String}, {@code Number}, {@code Boolean}), as admission hooks see objects: {@code
 *        spec.loadBalancerIP}, {@code spec.loadBalancerClass}, annotations and ports are there
 * @param currentIngress what the Service's status holds now (empty for a new one)
 * @param inUse the addresses (ip or hostname) the other LoadBalancer Services hold or have been
 *        given, which the provider must not give this one
 */
public record LoadBalancerRequest(String namespace, String name, String uid, Map<String, Object> service,
        List<LoadBalancerIngress> currentIngress, Set<String> inUse) {
    public LoadBalancerRequest {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        service = service == null ? Map.of() : service;
        currentIngress = List.copyOf(currentIngress);
        inUse = Set.copyOf(inUse);
    }

    /** The annotation Kubernetes' bare-metal providers (MetalLB, kube-vip) read a requested address from. */
    public static final String REQUESTED_IP_ANNOTATION = "metallb.universe.tf/loadBalancerIPs";

    /** The address the Service asks for ({@code spec.loadBalancerIP}, else the annotation), or null. */
    public String requestedIp() {
        if (service.get("spec") instanceof Map<?, ?> spec && spec.get("loadBalancerIP") instanceof String ip && !ip.isEmpty()) {
            return ip;
        }
        if (service.get("metadata") instanceof Map<?, ?> metadata && metadata.get("annotations") instanceof Map<?, ?> annotations
                && annotations.get(REQUESTED_IP_ANNOTATION) instanceof String ips && !ips.isBlank()) {
            return ips.split(",")[0].trim();
        }
        return null;
    }
}
