package io.kubundle.controller.service.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceKind;

/** The allocators' stores in the API server: IPAddress objects, and one ConfigMap for node ports. */
final class ApiStores {
    static final ResourceKind<ObjectNode> IP_ADDRESSES = ResourceKind.of("networking.k8s.io/v1", "IPAddress", "ipaddresses", false,
            ObjectNode.class);
    static final ResourceKind<ObjectNode> CONFIG_MAPS = ResourceKind.of("v1", "ConfigMap", "configmaps", true, ObjectNode.class);
    /** Kubernetes' labels on the IPAddresses its allocator makes. */
    static final String FAMILY_LABEL = "ipaddress.kubernetes.io/ip-family";
    static final String MANAGED_BY_LABEL = "ipaddress.kubernetes.io/managed-by";
    static final String MANAGED_BY = "ipallocator.k8s.io";
    /** Where the node port map lives. */
    static final String NODE_PORTS_NAMESPACE = "kube-system";
    static final String NODE_PORTS_NAME = "kubundle-nodeport-allocations";

    private ApiStores() {
    }

    /** An IPAddress object's allocation, or null when it is not a Service's. */
    static ClusterIps.Entry entry(JsonNode object) {
        JsonNode ref = object.path("spec").path("parentRef");
        if (!ref.path("resource").asText().equals("services") || !ref.path("group").asText("").isEmpty()) {
            return null;
        }
        Instant created;
        try {
            created = Instant.parse(object.path("metadata").path("creationTimestamp").asText());
        } catch (RuntimeException e) {
            created = Instant.EPOCH;
        }
        return new ClusterIps.Entry(object.path("metadata").path("name").asText(),
                new Owner(ref.path("namespace").asText(), ref.path("name").asText()), object.path("metadata").path("uid").asText(), created);
    }

    static ObjectNode ipAddress(String ip, Owner owner) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.put("apiVersion", "networking.k8s.io/v1").put("kind", "IPAddress");
        ObjectNode metadata = object.putObject("metadata").put("name", ip);
        metadata.putObject("labels").put(FAMILY_LABEL, "IPv4").put(MANAGED_BY_LABEL, MANAGED_BY);
        object.putObject("spec").putObject("parentRef").put("group", "").put("resource", "services")
                .put("namespace", owner.namespace()).put("name", owner.name());
        return object;
    }

    static ClusterIps.Store ipStore(KubeClient client) {
        ResourceClient<ObjectNode> addresses = client.resources(IP_ADDRESSES);
        return new ClusterIps.Store() {
            @Override
            public Optional<ClusterIps.Entry> find(String ip) throws Exception {
                return addresses.find(null, ip).map(ApiStores::entry);
            }

            @Override
            public boolean create(String ip, Owner owner) throws Exception {
                try {
                    addresses.create(ipAddress(ip, owner));
                    return true;
                } catch (ApiStatusException e) {
                    if (e.isAlreadyExists()) {
                        return false;
                    }
                    throw e;
                }
            }

            @Override
            public void delete(ClusterIps.Entry entry) throws Exception {
                try {
                    addresses.delete(null, entry.ip(), DeleteOptions.DEFAULT.withPreconditionUid(entry.uid()));
                } catch (ApiStatusException e) {
                    if (!e.isConflict() && !e.isNotFound()) {
                        throw e; // a conflict: the address was allocated again since, and stays
                    }
                }
            }

            @Override
            public List<ClusterIps.Entry> list() throws Exception {
                List<ClusterIps.Entry> entries = new ArrayList<>();
                for (ObjectNode object : addresses.list(null, ListOptions.ALL).items()) {
                    ClusterIps.Entry entry = entry(object);
                    if (entry != null) {
                        entries.add(entry);
                    }
                }
                return entries;
            }
        };
    }

    /** Reads the node port map from a ConfigMap's data: {@code "30080": "default/web 2026-12-02T10:00:00Z"}. */
    static Map<Integer, NodePorts.Allocation> nodePorts(JsonNode configMap) {
        Map<Integer, NodePorts.Allocation> ports = new TreeMap<>();
        configMap.path("data").fields().forEachRemaining(e -> {
            String[] value = e.getValue().asText().split(" ");
            Owner owner = Owner.parse(value[0]);
            try {
                Instant at = value.length > 1 ? Instant.parse(value[1]) : Instant.EPOCH;
                if (owner != null) {
                    ports.put(Integer.parseInt(e.getKey()), new NodePorts.Allocation(owner, at));
                }
            } catch (RuntimeException ignored) {
                // not ours to read: left out, the repair loop writes it back from the Services
            }
        });
        return ports;
    }

    static NodePorts.Store nodePortStore(KubeClient client) {
        ResourceClient<ObjectNode> configMaps = client.resources(CONFIG_MAPS);
        return new NodePorts.Store() {
            @Override
            public NodePorts.Versioned read() throws Exception {
                Optional<ObjectNode> found = configMaps.find(NODE_PORTS_NAMESPACE, NODE_PORTS_NAME);
                if (found.isEmpty()) {
                    ObjectNode created = JsonNodeFactory.instance.objectNode();
                    created.put("apiVersion", "v1").put("kind", "ConfigMap");
                    ObjectNode metadata = created.putObject("metadata").put("name", NODE_PORTS_NAME)
                            .put("namespace", NODE_PORTS_NAMESPACE);
                    metadata.putObject("annotations").put("kubundle.io/description",
                            "node ports allocated to Services (port: namespace/name since); written by io.kubundle.controller.service");
                    try {
                        found = Optional.of(configMaps.create(created));
                    } catch (ApiStatusException e) {
                        if (!e.isAlreadyExists()) {
                            throw e;
                        }
                        found = Optional.of(configMaps.get(NODE_PORTS_NAMESPACE, NODE_PORTS_NAME));
                    }
                }
                return new NodePorts.Versioned(nodePorts(found.get()), found.get().path("metadata").path("resourceVersion").asText());
            }

            @Override
            public boolean write(Map<Integer, NodePorts.Allocation> ports, String version) throws Exception {
                ObjectNode configMap = configMaps.get(NODE_PORTS_NAMESPACE, NODE_PORTS_NAME).deepCopy();
                configMap.with("metadata").put("resourceVersion", version);
                ObjectNode data = configMap.putObject("data");
                ports.forEach((port, allocation) -> data.put(Integer.toString(port), allocation.owner() + " " + allocation.at()));
                try {
                    configMaps.update(configMap);
                    return true;
                } catch (ApiStatusException e) {
                    if (e.isConflict()) {
                        return false;
                    }
                    throw e;
                }
            }
        };
    }
}
