/**
 * The load balancer SPI: what gives a {@code type: LoadBalancer} Service its external address, as
 * a Kubernetes cloud provider's {@code LoadBalancer} interface (or MetalLB on bare metal) does.
 *
 * <h2>Who calls, and how</h2>
 * The service controller (bundle {@code io.kubundle.controller.service}, in the master) is the only
 * caller. It takes one provider: the one named by its configuration ({@code loadBalancerProvider}
 * in {@code etc/io.kubundle.controller.service.cfg}), else the one of highest
 * {@code service.ranking}. It calls {@link io.kubundle.api.loadbalancer.LoadBalancerProvider#ensure}
 * on its worker threads for every LoadBalancer Service whenever the Service changes and on each
 * resync (every 30 s), one call per Service at a time but for several Services at once: methods
 * must be thread-safe; they may block on a cloud's API but should return within seconds. The
 * controller writes what {@code ensure} returns into {@code status.loadBalancer.ingress}. When a
 * Service is deleted or stops being of type LoadBalancer, the controller calls
 * {@link io.kubundle.api.loadbalancer.LoadBalancerProvider#release} once (again after a failure).
 *
 * <h2>State and swaps</h2>
 * A provider keeps no state that the cluster does not hold: each request carries the Service, the
 * ingress its status has now and the addresses every other LoadBalancer Service holds, so a new
 * instance (or another provider) adopts the addresses its predecessor gave. A provider leaving
 * releases nothing: Services keep their addresses, and new ones wait (status empty, {@code
 * <pending>} in {@code kubectl get svc}) until a provider is back.
 *
 * <p>Answering for an address on the nodes (ARP, routes, the proxy's rules) is not the provider's
 * work: the service proxy reads {@code status.loadBalancer.ingress}.
 */
@Export
@Version("1.0.0")
package io.kubundle.api.loadbalancer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
