package io.kubundle.proxy.iptables.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * The proxy as a controller: informers on Services, EndpointSlices and Nodes (for this node's pod
 * CIDR), and the {@link Proxier}, started only once the informers have listed (so a restart never
 * syncs an empty cluster over the rules of the one before). Any change asks the proxier for a
 * sync; the proxier reads the caches when it syncs (level, not edge).
 */
final class ClusterWatch implements ControllerHost.Controller {
    static final ResourceKind<ObjectNode> SERVICES = ResourceKind.of("v1", "Service", "services", true, ObjectNode.class);
    static final ResourceKind<ObjectNode> SLICES = ResourceKind.of("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true,
            ObjectNode.class);
    static final ResourceKind<ObjectNode> NODES = ResourceKind.of("v1", "Node", "nodes", false, ObjectNode.class);

    private final Informer<ObjectNode> services;
    private final Informer<ObjectNode> slices;
    private final Informer<ObjectNode> nodes;
    private final String nodeName;
    private final Function<java.util.function.Supplier<Snapshot>, Proxier> proxierFactory;
    private Proxier proxier;

    /** @param proxierFactory makes the proxier from the snapshot source; called once the caches are filled */
    ClusterWatch(KubeClient client, String nodeName, Function<java.util.function.Supplier<Snapshot>, Proxier> proxierFactory) {
        this.services = new Informer<>(client.resources(SERVICES), Duration.ZERO);
        this.slices = new Informer<>(client.resources(SLICES), Duration.ZERO);
        // only this node: a proxy of a 2,000-node cluster need not cache 2,000 Nodes
        this.nodes = new Informer<>(client.resources(NODES), null, ListOptions.fields("metadata.name=" + nodeName), Duration.ZERO);
        this.nodeName = nodeName;
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
                throw new IllegalStateException("proxy-iptables: informers did not list in 30 s");
            }
        }
        Proxier created = proxierFactory.apply(this::snapshot);
        synchronized (this) {
            proxier = created;
        }
        created.start();
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

    synchronized Proxier proxier() {
        return proxier;
    }

    /** The caches as the proxier syncs them. */
    Snapshot snapshot() {
        Map<String, List<ObjectNode>> slicesByService = new HashMap<>();
        for (ObjectNode slice : slices.list()) {
            String service = slice.path("metadata").path("labels").path(ServiceModel.SERVICE_NAME_LABEL).asText("");
            if (!service.isEmpty()) {
                slicesByService.computeIfAbsent(slice.path("metadata").path("namespace").asText("") + "/" + service,
                        k -> new ArrayList<>()).add(slice);
            }
        }
        Map<String, ServicePort> ports = new HashMap<>();
        Map<String, List<Endpoint>> endpoints = new HashMap<>();
        for (ObjectNode service : services.list()) {
            String serviceKey = service.path("metadata").path("namespace").asText("") + "/" + service.path("metadata").path("name").asText();
            List<ObjectNode> ofService = slicesByService.getOrDefault(serviceKey, List.of());
            for (ServicePort port : ServiceModel.ports(service)) {
                String key = ServiceModel.key(port);
                ports.put(key, port);
                endpoints.put(key, ServiceModel.endpoints(port, ofService, nodeName));
            }
        }
        String podCidr = nodes.get(nodeName).map(ClusterWatch::podCidr).orElse("");
        return new Snapshot(ports, endpoints, podCidr);
    }

    @Override
    public void close() {
        Proxier current;
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
