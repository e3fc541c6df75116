package io.kubundle.controller.service.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import io.kubundle.api.loadbalancer.LoadBalancerProvider;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.KubeClient;

/**
 * Runs the service controller while the bundle is active, and tracks the load balancer providers
 * that come and go: the one named in the configuration, else the one of highest ranking. A
 * provider arriving or leaving has every LoadBalancer Service looked at again; one leaving takes
 * nothing away from the Services (they keep their addresses).
 */
@Component(configurationPid = ServiceConfig.PID, immediate = true, service = {})
@Designate(ocd = ServiceConfig.class)
public final class ServiceComponent {
    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    /** Providers by ranking (highest first), then service id. */
    private final Map<RankKey, Provider> providers = new ConcurrentSkipListMap<>();
    private volatile String wanted = "";
    private volatile ServiceController controller;
    private ControllerHost host;

    private record RankKey(int ranking, long id) implements Comparable<RankKey> {
        @Override
        public int compareTo(RankKey other) {
            return ranking != other.ranking ? Integer.compare(other.ranking, ranking) : Long.compare(id, other.id);
        }
    }

    private record Provider(String name, LoadBalancerProvider provider) {
    }

    @Activate
    void activate(BundleContext context, ServiceConfig config) {
        wanted = config.loadBalancerProvider();
        Cidr range = Cidr.parse(config.serviceClusterIpRange());
        PortRange ports = PortRange.parse(config.serviceNodePortRange());
        KubernetesService kubernetes = null;
        if (config.kubernetesService()) {
            int port = config.apiServerPort();
            if (port <= 0) {
                String property = context.getProperty("kubundle.api.port");
                port = property == null || property.isBlank() ? 6443 : Integer.parseInt(property.trim());
            }
            String address = config.apiServerAddress().isBlank() ? KubernetesService.hostAddress() : config.apiServerAddress().trim();
            kubernetes = new KubernetesService(range.at(1), address, port);
        }
        KubernetesService keep = kubernetes;
        host = new ControllerHost("service-controller", () -> {
            KubeClient client = new KubeClient(transport);
            ServiceController next = new ServiceController(client, ApiStores.ipStore(client), range, ApiStores.nodePortStore(client), ports,
                    this::provider, keep, Duration.ofSeconds(Math.max(1, config.allocationGraceSeconds())), config.workers());
            controller = next;
            return next;
        });
    }

    @Deactivate
    void deactivate() {
        host.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addProvider(LoadBalancerProvider provider, Map<String, Object> properties) {
        providers.put(key(properties), new Provider(String.valueOf(properties.get(LoadBalancerProvider.NAME_PROPERTY)), provider));
        changed();
    }

    void removeProvider(LoadBalancerProvider provider, Map<String, Object> properties) {
        providers.remove(key(properties));
        changed();
    }

    private static RankKey key(Map<String, Object> properties) {
        int ranking = properties.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0;
        return new RankKey(ranking, (Long) properties.get(Constants.SERVICE_ID));
    }

    private void changed() {
        ServiceController current = controller;
        if (current != null) {
            current.providersChanged();
        }
    }

    /** The provider to use now, or null. */
    LoadBalancerProvider provider() {
        for (Provider candidate : providers.values()) {
            if (wanted.isEmpty() || wanted.equals(candidate.name())) {
                return candidate.provider();
            }
        }
        return null;
    }
}
