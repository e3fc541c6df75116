package io.kubundle.proxy.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;

/**
 * A proxy as a controller: informers on Services, EndpointSlices and Nodes (for this node's pod
 * CIDR), and the {@link Proxy}, made and started only once the informers have listed (so a restart
 * never syncs an empty cluster over the rules of the one before). Any change asks the proxy for a
 * sync; the proxy reads the caches with {@link #snapshot()} when it syncs (level, not edge).
 */
public final class ClusterWatch implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(ClusterWatch.class.getName());

    /** What the watch drives: a proxy that syncs from the snapshot source it was made with. */
    public interface Proxy extends AutoCloseable {
        /** Starts syncing (the first sync soon). */
        void start();

        /** Asks for a sync soon; cheap, non-blocking, from any thread. */
        void requestSync();

        /** Waits at most {@code timeout} for the first sync; whether it is done. */
        default boolean awaitFirstSync(Duration timeout) throws InterruptedException {
            return true;
        }

        /** Stops syncing; whatever the proxy removes when it goes is removed before this returns. */
        @Override
        void close();
    }

    static final ResourceKind<ObjectNode> SERVICES = ResourceKind.of("v1", "Service", "services", true, ObjectNode.class);
    static final ResourceKind<ObjectNode> SLICES = ResourceKind.of("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true,
            ObjectNode.class);
    static final ResourceKind<ObjectNode> NODES = ResourceKind.of("v1", "Node", "nodes", false, ObjectNode.class);

    private final Informer<ObjectNode> services;
    private final Informer<ObjectNode> slices;
    private final Informer<ObjectNode> nodes;
    private final String nodeName;
    private final String name;
    private final Function<java.util.function.Supplier<Snapshot>, ? extends Proxy> proxierFactory;
    private Proxy proxier;

    /**
     * @param name the proxy, for messages ({@code proxy-iptables})
     * @param proxierFactory makes the proxy from the snapshot source; called once the caches are filled
     */
    public ClusterWatch(String name, KubeClient client, String nodeName,
            Function<java.util.function.Supplier<Snapshot>, ? extends Proxy> proxierFactory) {
        this.services = new Informer<>(client.resources(SERVICES), Duration.ZERO);
        this.slices = new Informer<>(client.resources(SLICES), Duration.ZERO);
        // only this node: a proxy of a 2,000-node cluster need not cache 2,000 Nodes
        this.nodes = new Informer<>(client.resources(NODES), null, ListOptions.fields("metadata.name=" + nodeName), Duration.ZERO);
        this.nodeName = nodeName;
        this.name = name;
        this.proxierFactory = proxierFactory;
    }

    @Override
    public void start() throws Exception {
        ResourceHandler<ObjectNode> changed = new ResourceHandler<>() {
            @Override
            public void onAdd(ObjectNode object) {
                requestSync();
            }

            @Override
            public void onUpdate(ObjectNode oldObject, ObjectNode newObject) {
                if (oldObject != newObject) {
                    requestSync();
                }
            }

            @Override
            public void onDelete(ObjectNode lastKnown) {
                requestSync();
            }
        };
        services.addHandler(changed);
        slices.addHandler(changed);
        // of the Nodes only this node's pod CIDR matters: their status heartbeats need no sync
        nodes.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(ObjectNode object) {
                if (isOurs(object)) {
                    requestSync();
                }
            }

            @Override
            public void onUpdate(ObjectNode oldObject, ObjectNode newObject) {
                if (isOurs(newObject) && !podCidr(oldObject).equals(podCidr(newObject))) {
                    requestSync();
                }
            }

            @Override
            public void onDelete(ObjectNode lastKnown) {
                if (isOurs(lastKnown)) {
                    requestSync();
                }
            }
        });
        for (Informer<ObjectNode> informer : List.of(services, slices, nodes)) {
            informer.start();
        }
        for (Informer<ObjectNode> informer : List.of(services, slices, nodes)) {
            if (!informer.awaitSynced(Duration.ofSeconds(30))) {
                throw new IllegalStateException(name + ": informers did not list in 30 s");
            }
        }
        Proxy created = proxierFactory.apply(this::snapshot);
        synchronized (this) {
            proxier = created;
        }
        created.start();
    }

    /**
     * A proxy's controller host: a watch over the process's cluster client, restarted by the host
     * when it fails; the proxy is made once the informers listed. Close the host to stop it all.
     *
     * <p>Waits (at most {@code firstSyncWait}) for the proxy's first sync, so that a proxy swapped in
     * ({@code bundles swap} removes the old one once the new one's components are active) has its
     * rules in place before the old one's go. Returns early when another instance owns the
     * namespace (a side-by-side swap of one proxy for another version of itself: the new one can
     * only sync once the old one left).
     */
    public static ControllerHost host(String name, io.kubundle.api.transport.ApiTransport transport, String nodeName,
            Function<java.util.function.Supplier<Snapshot>, ? extends Proxy> proxierFactory, Duration firstSyncWait) {
        java.util.concurrent.CompletableFuture<Proxy> made = new java.util.concurrent.CompletableFuture<>();
        ControllerHost host = new ControllerHost(name, () -> new ClusterWatch(name, new KubeClient(transport), nodeName, source -> {
            Proxy proxy = proxierFactory.apply(source);
            made.complete(proxy);
            return proxy;
        }));
        long deadline = System.nanoTime() + firstSyncWait.toNanos();
        try {
            Proxy proxy = made.get(Math.max(0, firstSyncWait.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (!proxy.awaitFirstSync(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                LOG.log(System.Logger.Level.INFO, "{0}: active before its first sync (another instance owns the rules, or the sync"
                        + " failed or is slow): services are proxied by it from its first sync on", name);
            }
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.log(System.Logger.Level.INFO, "{0}: informers not listed within {1} ms: services are proxied by it from its first sync on",
                    name, firstSyncWait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        return host;
    }

    /**
     * The node a proxy serves: the configured name, else the kubelet's {@code --node-name} (the
     * framework property {@code kubundle.kubelet.node-name}), else the host name in lower case.
     */
    public static String nodeName(String configured, String commandLine) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        if (commandLine != null && !commandLine.isBlank()) {
            return commandLine.strip();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return "";
        }
    }

    private boolean isOurs(ObjectNode node) {
        return nodeName.equals(node.path("metadata").path("name").asText());
    }

    private static String podCidr(ObjectNode node) {
        return node.path("spec").path("podCIDR").asText("");
    }

    private synchronized void requestSync() {
        if (proxier != null) {
            proxier.requestSync();
        }
    }

    /** The proxy, null before the informers listed and after {@link #close()}. */
    public synchronized Proxy proxier() {
        return proxier;
    }

    /** What was read from one Service object; the informer replaces an object when it changes. */
    private record ReadService(String key, List<ServicePort> ports) {
    }

    /** The endpoints of one service port, read from exactly these slice objects. */
    private record ReadEndpoints(ServicePort port, List<ObjectNode> slices, List<Endpoint> endpoints) {
        boolean sameAs(ServicePort otherPort, List<ObjectNode> otherSlices) {
            if (!port.equals(otherPort) || slices.size() != otherSlices.size()) {
                return false;
            }
            for (int i = 0; i < slices.size(); i++) {
                if (slices.get(i) != otherSlices.get(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Read last sync, by object identity: an unchanged object is not read again (a sync after one change reads one). */
    private Map<ObjectNode, ReadService> readServices = new IdentityHashMap<>();
    private Map<ObjectNode, String> sliceOwners = new IdentityHashMap<>();
    private Map<String, ReadEndpoints> readEndpoints = new HashMap<>();

    /** The caches as the proxy syncs them (on its thread, one sync at a time). */
    public synchronized Snapshot snapshot() {
        Map<ObjectNode, String> owners = new IdentityHashMap<>();
        Map<String, List<ObjectNode>> slicesByService = new HashMap<>();
        for (ObjectNode slice : slices.list()) {
            String owner = sliceOwners.get(slice);
            if (owner == null) {
                String service = slice.path("metadata").path("labels").path(ServiceModel.SERVICE_NAME_LABEL).asText("");
                owner = service.isEmpty() ? "" : slice.path("metadata").path("namespace").asText("") + "/" + service;
            }
            owners.put(slice, owner);
            if (!owner.isEmpty()) {
                slicesByService.computeIfAbsent(owner, k -> new ArrayList<>()).add(slice);
            }
        }
        sliceOwners = owners;
        Map<ObjectNode, ReadService> services = new IdentityHashMap<>();
        Map<String, ReadEndpoints> endpointsRead = new HashMap<>();
        Map<String, ServicePort> ports = new HashMap<>();
        Map<String, List<Endpoint>> endpoints = new HashMap<>();
        for (ObjectNode service : this.services.list()) {
            ReadService read = readServices.get(service);
            if (read == null) {
                read = new ReadService(service.path("metadata").path("namespace").asText("") + "/"
                        + service.path("metadata").path("name").asText(), ServiceModel.ports(service));
            }
            services.put(service, read);
            List<ObjectNode> ofService = slicesByService.getOrDefault(read.key(), List.of());
            if (ofService.size() > 1) {
                // a stable order, so that the same slices compare equal from one sync to the next
                ofService.sort(java.util.Comparator.comparing(slice -> slice.path("metadata").path("name").asText("")));
            }
            for (ServicePort port : read.ports()) {
                String key = ServiceModel.key(port);
                ReadEndpoints last = readEndpoints.get(key);
                if (last == null || !last.sameAs(port, ofService)) {
                    last = new ReadEndpoints(port, List.copyOf(ofService), ServiceModel.endpoints(port, ofService, nodeName));
                }
                endpointsRead.put(key, last);
                ports.put(key, port);
                endpoints.put(key, last.endpoints());
            }
        }
        readServices = services;
        readEndpoints = endpointsRead;
        String podCidr = nodes.get(nodeName).map(ClusterWatch::podCidr).orElse("");
        return new Snapshot(ports, endpoints, podCidr);
    }

    @Override
    public void close() {
        Proxy current;
        synchronized (this) {
            current = proxier;
            proxier = null;
        }
        if (current != null) {
            current.close();
        }
        services.close();
        slices.close();
        nodes.close();
    }
}
