package io.kubundle.api.loadbalancer;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Gives LoadBalancer Services their external addresses (see the package documentation for who
 * calls, on which threads, and what a provider may keep).
 *
 * <p>Register it as an OSGi service with a {@link #NAME_PROPERTY} ({@code pool}, {@code aws}, ...);
 * the service controller picks it up while the cluster runs and drops it when its bundle leaves.
 */
@ConsumerType
public interface LoadBalancerProvider {
    /** Service property naming the provider, which configuration selects it by. */
    String NAME_PROPERTY = "name";

    /**
     * Makes sure the Service has a load balancer and returns its ingress points. Idempotent: a
     * repeat call for a Service that has its address returns the same address (the one in
     * {@link LoadBalancerRequest#currentIngress()} when it is still valid), and never gives one of
     * {@link LoadBalancerRequest#inUse()} to another Service.
     *
     * @return the ingress points to publish in {@code status.loadBalancer.ingress}; empty when
     *         the provider has none to give yet (the controller asks again on its next resync)
     * @throws LoadBalancerException when the Service cannot have one (an address outside the pool
     *         asked for, the pool exhausted); the message becomes a Warning event on the Service
     */
    List<LoadBalancerIngress> ensure(LoadBalancerRequest request) throws LoadBalancerException;

    /**
     * Removes the Service's load balancer (what {@code ensure} made). Idempotent: releasing a
     * Service that has none does nothing.
     */
    void release(LoadBalancerRequest request) throws LoadBalancerException;
}
