package io.kubundle.dns.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.dns.ClusterDns;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The node's cluster DNS while the bundle is active: informers on Services and EndpointSlices feed
 * a {@link ClusterIndex}; a {@link DnsServer} answers on the configured address (on its own dummy
 * interface unless configured otherwise); a {@link ClusterDns} service tells the kubelet where it
 * is. If the address cannot be bound yet (taken, not there), it tries again every few seconds.
 * Deactivation undoes everything: the service, the sockets, the event loops, the informers, the
 * address and interface it made.
 */
@Component(configurationPid = "io.kubundle.dns", immediate = true, service = {})
@Designate(ocd = DnsConfig.class)
public final class DnsComponent {
    private static final System.Logger LOG = System.getLogger(DnsComponent.class.getName());
    static final ResourceKind<ObjectNode> SERVICES = ResourceKind.of("v1", "Service", "services", true, ObjectNode.class);
    static final ResourceKind<ObjectNode> ENDPOINT_SLICES = ResourceKind.of("discovery.k8s.io/v1", "EndpointSlice", "endpointslices",
            true, ObjectNode.class);
    private static final long BIND_RETRY_SECONDS = 5;

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private BundleContext context;
    private ClusterDnsInfo info;
    private EventLoopGroup group;
    private Informer<ObjectNode> services;
    private Informer<ObjectNode> slices;
    private DummyInterface link;
    private DnsServer server;
    private ScheduledExecutorService retries;
    private ServiceRegistration<ClusterDns> registration;
    private int failures;

    @Activate
    void activate(BundleContext bundleContext, DnsConfig config) throws IOException {
        // what can fail (bad addresses, an unreadable resolv.conf) before anything is started
        InetSocketAddress listen = new InetSocketAddress(Upstreams.parse(config.listenAddress()).getAddress(), config.port());
        List<InetSocketAddress> upstreams = Upstreams.of(config.upstreams(), Path.of(config.resolvConf()), listen);
        context = bundleContext;
        info = new ClusterDnsInfo(config.listenAddress(), config.clusterDomain());
        ClusterIndex index = new ClusterIndex();
        KubeClient client = new KubeClient(transport);
        services = new Informer<>(client.resources(SERVICES), Duration.ZERO);
        slices = new Informer<>(client.resources(ENDPOINT_SLICES), Duration.ZERO);
        services.addHandler(new IndexFeeder(index, true));
        slices.addHandler(new IndexFeeder(index, false));
        services.start();
        slices.start();

        group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("kubundle-dns", true), NioIoHandler.newFactory());
        Forwarder forwarder = new Forwarder(group, upstreams, Duration.ofMillis(config.upstreamTimeoutMillis()));
        ClusterZone zone = new ClusterZone(index, config.clusterDomain(), config.ttl(),
                () -> services.hasSynced() && slices.hasSynced());
        server = new DnsServer(group, listen, new QueryHandler(zone, forwarder, config.maxUdpSize()));
        if (config.createInterface()) {
            link = new DummyInterface(config.interfaceName(), info.address());
        }
        LOG.log(System.Logger.Level.INFO, "cluster DNS for {0} on {1}, upstream {2}", zone.domain(), listen, upstreams);
        if (!tryToServe()) {
            // not on the event loop: binding waits for it
            retries = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("kubundle-dns-bind", true));
            retries.scheduleWithFixedDelay(this::tryToServe, BIND_RETRY_SECONDS, BIND_RETRY_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Makes the interface and binds; registers {@link ClusterDns} once bound. True when serving. */
    private synchronized boolean tryToServe() {
        if (server == null) {
            return true;
        }
        if (registration != null) {
            return true;
        }
        try {
            if (link != null) {
                link.claim();
            }
            server.bind();
            if (link != null) {
                link.own();
            }
        } catch (Exception e) {
            // the first failure is worth a warning; the retries' are not
            LOG.log(failures++ == 0 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    "cluster DNS cannot serve on {0} yet (retrying every {1} s): {2}", server.address(), BIND_RETRY_SECONDS, e.toString());
            return false;
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(ClusterDns.ADDRESS_PROPERTY, info.address());
        properties.put(ClusterDns.DOMAIN_PROPERTY, info.clusterDomain());
        properties.put("port", server.address().getPort());
        properties.put("name", "node-local");
        registration = context.registerService(ClusterDns.class, info, properties);
        if (retries != null) {
            retries.shutdown();
        }
        return true;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        if (retries != null) {
            retries.shutdownNow();
            retries.awaitTermination(10, TimeUnit.SECONDS);
        }
        stopServing();
    }

    private synchronized void stopServing() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // unregistered with the bundle already
            }
            registration = null;
        }
        server.close();
        server = null;
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        services.close();
        slices.close();
        if (link != null) {
            link.release();
        }
    }

    /** What {@link ClusterDns} says: the address, the search list, ndots:5. */
    record ClusterDnsInfo(String address, String clusterDomain) implements ClusterDns {
        @Override
        public List<String> searches(String namespace) {
            return List.of(namespace + ".svc." + clusterDomain, "svc." + clusterDomain, clusterDomain);
        }

        @Override
        public List<String> options() {
            return List.of("ndots:5");
        }
    }

    /** Keeps the index current from one informer. */
    private record IndexFeeder(ClusterIndex index, boolean services) implements ResourceHandler<ObjectNode> {
        @Override
        public void onAdd(ObjectNode object) {
            put(object);
        }

        @Override
        public void onUpdate(ObjectNode oldObject, ObjectNode newObject) {
            put(newObject);
        }

        @Override
        public void onDelete(ObjectNode lastKnown) {
            String namespace = lastKnown.path("metadata").path("namespace").asText();
            String name = lastKnown.path("metadata").path("name").asText();
            if (services) {
                index.removeService(namespace, name);
            } else {
                index.removeSlice(namespace, name);
            }
        }

        private void put(ObjectNode object) {
            if (services) {
                index.putService(ClusterObjects.service(object));
                return;
            }
            ClusterIndex.SliceData slice = ClusterObjects.slice(object);
            if (slice == null) {
                onDelete(object);
            } else {
                index.putSlice(slice);
            }
        }
    }
}
