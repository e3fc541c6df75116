package io.kubundle.lb.pool.internal;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.loadbalancer.LoadBalancerException;
import io.kubundle.api.loadbalancer.LoadBalancerIngress;
import io.kubundle.api.loadbalancer.LoadBalancerProvider;
import io.kubundle.api.loadbalancer.LoadBalancerRequest;

/**
 * The bare-metal provider (MetalLB's address allocation, without its speakers): every
 * LoadBalancer Service gets an address from the pool, the one it asks for ({@code
 * spec.loadBalancerIP} or the {@code metallb.universe.tf/loadBalancerIPs} annotation) if free,
 * else the lowest free one. It keeps no state: the address a Service has is in its status, and the
 * controller tells it which ones others hold, so a new instance adopts every address given.
 */
@Component(configurationPid = "io.kubundle.lb.pool", property = LoadBalancerProvider.NAME_PROPERTY + "=pool")
@Designate(ocd = PoolProvider.Config.class)
public final class PoolProvider implements LoadBalancerProvider {
    /** The {@code spec.loadBalancerClass} this provider answers to (Services without a class are its too). */
    static final String CLASS = "kubundle.io/pool";

    @ObjectClassDefinition(name = "Kubundle load balancer address pool")
    public @interface Config {
        @AttributeDefinition(description = "Addresses to give: CIDR blocks or first-last ranges, comma separated")
        String addresses() default "172.30.255.0/24";
    }

    private final AddressPool pool;

    @Activate
    public PoolProvider(Config config) {
        this.pool = new AddressPool(config.addresses());
    }

    PoolProvider(AddressPool pool) {
        this.pool = pool;
    }

    @Override
    public List<LoadBalancerIngress> ensure(LoadBalancerRequest request) throws LoadBalancerException {
        if (!isOurs(request)) {
            return request.currentIngress(); // another provider's Service: left as it is
        }
        String requested = request.requestedIp();
        if (requested != null) {
            if (!pool.contains(requested)) {
                throw new LoadBalancerException("the requested address " + requested + " is not in the pool " + pool);
            }
            if (request.inUse().contains(requested)) {
                throw new LoadBalancerException("the requested address " + requested + " is already used by another Service");
            }
            return List.of(LoadBalancerIngress.ofIp(requested));
        }
        for (LoadBalancerIngress current : request.currentIngress()) {
            if (current.ip() != null && pool.contains(current.ip()) && !request.inUse().contains(current.ip())) {
                return List.of(LoadBalancerIngress.ofIp(current.ip()));
            }
        }
        String free = pool.firstFree(request.inUse());
        if (free == null) {
            throw new LoadBalancerException("no address left in the pool " + pool);
        }
        return List.of(LoadBalancerIngress.ofIp(free));
    }

    private static boolean isOurs(LoadBalancerRequest request) {
        Object spec = request.service().get("spec");
        Object className = spec instanceof java.util.Map<?, ?> map ? map.get("loadBalancerClass") : null;
        return className == null || CLASS.equals(className);
    }

    @Override
    public void release(LoadBalancerRequest request) {
        // nothing kept: the address is free once no Service's status holds it
    }
}
