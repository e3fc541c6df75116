package io.kubundle.controller.service.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Service;
import io.kubundle.api.loadbalancer.LoadBalancerException;
import io.kubundle.api.loadbalancer.LoadBalancerIngress;
import io.kubundle.api.loadbalancer.LoadBalancerProvider;
import io.kubundle.api.loadbalancer.LoadBalancerRequest;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ObjectKey;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.controller.support.EventRecorder;
import io.kubundle.controller.support.Kinds;

/**
 * The Service controllers of kube-controller-manager in one loop, keyed by Service: Endpoints and
 * EndpointSlices (and the mirroring of a selector-less Service's own Endpoints into slices), the
 * load balancer status through the {@link LoadBalancerProvider} present, and the repair of
 * allocations (kube-apiserver's repair loops): IPAddresses and node ports no Service holds are
 * freed, those a Service holds and the store lacks are written back. Keys: {@code svc/<ns>/<name>},
 * {@code ip/<address>}, {@code ports}. Writes carry the cached resourceVersion; unchanged state
 * writes nothing.
 */
final class ServiceController implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(ServiceController.class.getName());
    static final ResourceKind<ObjectNode> ENDPOINTS = ResourceKind.of("v1", "Endpoints", "endpoints", true, ObjectNode.class);
    static final ResourceKind<ObjectNode> SLICES = ResourceKind.of("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true,
            ObjectNode.class);
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    static final String MANAGED_BY = "endpointslice-controller.k8s.io";
    static final String MIRRORED_BY = "endpointslicemirroring-controller.k8s.io";
    static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    private static final String SVC = "svc/";
    private static final String IP = "ip/";
    private static final String PORTS = "ports";
    private static final String BY_SERVICE = "service";
    private static final Duration RESYNC = Duration.ofSeconds(30);

    private final ObjectMapper json;
    private final ResourceClient<ObjectNode> serviceClient;
    private final ResourceClient<ObjectNode> endpointsClient;
    private final ResourceClient<ObjectNode> sliceClient;
    private final Informer<ObjectNode> services;
    private final Informer<ObjectNode> pods;
    private final Informer<ObjectNode> endpoints;
    private final Informer<ObjectNode> slices;
    private final Informer<ObjectNode> addresses;
    private final ClusterIps clusterIps;
    private final ClusterIps.Store ipStore;
    private final NodePorts nodePorts;
    private final NodePorts.Store portStore;
    private final Supplier<LoadBalancerProvider> provider;
    /** The kubernetes Service to keep, or null. */
    private final KubernetesService kubernetes;
    private final Duration grace;
    private final EventRecorder recorder;
    private final WorkQueue<String> queue = new WorkQueue<>("service");
    private final ControllerLoop loop;
    private final int workers;
    /** The LoadBalancer Services seen, by key, so that a deleted one is released with its last state. */
    private final Map<String, ObjectNode> loadBalancers = new ConcurrentHashMap<>();
    /** Addresses given by ensure calls and not yet in the cache, by Service key: never given twice meanwhile. */
    private final Map<String, Set<String>> given = new ConcurrentHashMap<>();
    private final Object loadBalancerLock = new Object();
    /** The last load balancer failure told per Service uid, so that a resync does not repeat it. */
    private final Map<String, String> told = new ConcurrentHashMap<>();

    ServiceController(KubeClient client, ClusterIps.Store ipStore, Cidr range, NodePorts.Store portStore, PortRange portRange,
            Supplier<LoadBalancerProvider> provider, KubernetesService kubernetes, Duration grace, int workers) {
        this.json = client.json();
        this.serviceClient = client.resources(Kinds.SERVICES.as(ObjectNode.class));
        this.endpointsClient = client.resources(ENDPOINTS);
        this.sliceClient = client.resources(SLICES);
        this.services = new Informer<>(serviceClient, RESYNC);
        this.pods = new Informer<>(client.resources(Kinds.PODS.as(ObjectNode.class)), Duration.ZERO);
        this.endpoints = new Informer<>(endpointsClient, Duration.ZERO);
        this.slices = new Informer<>(sliceClient, Duration.ZERO);
        this.addresses = new Informer<>(client.resources(ApiStores.IP_ADDRESSES), Duration.ofSeconds(60));
        this.ipStore = ipStore;
        this.clusterIps = new ClusterIps(range, ipStore, new java.security.SecureRandom());
        this.portStore = portStore;
        this.nodePorts = new NodePorts(portRange, portStore, new java.security.SecureRandom());
        this.provider = provider;
        this.kubernetes = kubernetes;
        this.grace = grace;
        this.workers = workers;
        this.recorder = new EventRecorder(client, "service-controller");
        this.loop = new ControllerLoop("service", queue, this::reconcile, 15);
    }

    @Override
    public void start() throws Exception {
        slices.addIndex(BY_SERVICE, slice -> {
            String service = slice.path("metadata").path("labels").path(SERVICE_NAME_LABEL).asText("");
            return service.isEmpty() ? List.of() : List.of(ObjectKey.of(slice.path("metadata").path("namespace").asText(), service));
        });
        services.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(ObjectNode service) {
                queue.add(SVC + key(service));
            }

            @Override
            public void onUpdate(ObjectNode old, ObjectNode service) {
                queue.add(SVC + key(service));
                if (!nodePortsOf(old).equals(nodePortsOf(service)) || old == service) {
                    queue.add(PORTS);
                }
                String oldIp = old.path("spec").path("clusterIP").asText("");
                if (!oldIp.isEmpty() && !oldIp.equals(service.path("spec").path("clusterIP").asText(""))) {
                    queue.add(IP + oldIp);
                }
            }

            @Override
            public void onDelete(ObjectNode service) {
                queue.add(SVC + key(service));
                queue.add(PORTS);
                for (JsonNode ip : service.path("spec").path("clusterIPs")) {
                    queue.add(IP + ip.asText());
                }
            }
        });
        pods.addHandler(new ResourceHandler<>() {
            @Override
            public void onAdd(ObjectNode pod) {
                queueServicesOf(pod, null);
            }

            @Override
            public void onUpdate(ObjectNode old, ObjectNode pod) {
                if (old != pod) {
                    queueServicesOf(pod, old);
                }
            }

            @Override
            public void onDelete(ObjectNode pod) {
                queueServicesOf(pod, null);
            }
        });
        endpoints.addHandler(keyHandler(object -> queue.add(SVC + key(object))));
        slices.addHandler(keyHandler(slice -> {
            String service = slice.path("metadata").path("labels").path(SERVICE_NAME_LABEL).asText("");
            if (!service.isEmpty()) {
                queue.add(SVC + ObjectKey.of(slice.path("metadata").path("namespace").asText(), service));
            }
        }));
        addresses.addHandler(new ResourceHandler<>() { // every event and every resync: the repair of leaked addresses
            @Override
            public void onAdd(ObjectNode address) {
                queue.add(IP + address.path("metadata").path("name").asText());
            }

            @Override
            public void onUpdate(ObjectNode old, ObjectNode address) {
                queue.add(IP + address.path("metadata").path("name").asText());
            }
        });
        List<Informer<?>> all = List.of(addresses, pods, endpoints, slices, services);
        for (Informer<?> informer : all) {
            informer.start();
        }
        Duration timeout = Duration.ofSeconds(30);
        for (Informer<?> informer : all) {
            if (!informer.awaitSynced(timeout)) {
                throw new IllegalStateException("service controller: informers did not sync in " + timeout);
            }
        }
        queue.add(PORTS);
        if (kubernetes != null) {
            queue.add(SVC + ObjectKey.of(KubernetesService.NAMESPACE, KubernetesService.NAME));
        }
        loop.start(workers);
    }

    @Override
    public void close() {
        loop.close();
        queue.close();
        for (Informer<?> informer : List.of(services, slices, endpoints, pods, addresses)) {
            informer.close();
        }
    }

    /** A load balancer provider arrived or left: every LoadBalancer Service is looked at again. */
    void providersChanged() {
        for (ObjectNode service : services.list()) {
            if (isLoadBalancer(service)) {
                queue.add(SVC + key(service));
            }
        }
    }

    private static ResourceHandler<ObjectNode> keyHandler(java.util.function.Consumer<ObjectNode> onChange) {
        return new ResourceHandler<>() {
            @Override
            public void onAdd(ObjectNode object) {
                onChange.accept(object);
            }

            @Override
            public void onUpdate(ObjectNode old, ObjectNode object) {
                if (old != object) {
                    onChange.accept(object);
                }
            }

            @Override
            public void onDelete(ObjectNode object) {
                onChange.accept(object);
            }
        };
    }

    private void queueServicesOf(ObjectNode pod, ObjectNode old) {
        String namespace = pod.path("metadata").path("namespace").asText();
        for (ObjectNode service : services.list(namespace)) {
            if (EndpointsPlan.selects(service, pod.path("metadata").path("labels"))
                    || (old != null && EndpointsPlan.selects(service, old.path("metadata").path("labels")))) {
                queue.add(SVC + key(service));
            }
        }
    }

    static String key(JsonNode object) {
        return ObjectKey.of(object.path("metadata").path("namespace").asText(null), object.path("metadata").path("name").asText());
    }

    Duration reconcile(String key) throws Exception {
        if (key.startsWith(SVC)) {
            return syncService(key.substring(SVC.length()));
        }
        if (key.startsWith(IP)) {
            return repairAddress(key.substring(IP.length()));
        }
        return repairPorts();
    }

    private Duration syncService(String key) throws Exception {
        if (kubernetes != null && key.equals(ObjectKey.of(KubernetesService.NAMESPACE, KubernetesService.NAME))) {
            try {
                if (!syncKubernetes()) {
                    return Duration.ZERO; // created now: its own event syncs it
                }
            } catch (Exception e) {
                // every second, not on the back-off of ordinary keys: pods need it as soon as the API server can make it
                LOG.log(System.Logger.Level.WARNING, "the kubernetes Service cannot be made yet: {0}", e.toString());
                return Duration.ofSeconds(1);
            }
        }
        Optional<ObjectNode> found = services.get(key);
        if (found.isEmpty()) {
            given.remove(key);
            ObjectNode last = loadBalancers.remove(key);
            if (last != null) {
                release(last);
            }
            return Duration.ZERO; // its Endpoints and slices go with it: their owner reference is the garbage collector's cue
        }
        ObjectNode service = found.get();
        if (service.path("metadata").hasNonNull("deletionTimestamp")) {
            return Duration.ZERO;
        }
        if (missesAllocations(service)) {
            // made while the allocation hook was away (a swap): an update lets it allocate now
            serviceClient.update(service.deepCopy());
            return Duration.ZERO;
        }
        repairServiceAddress(service);
        if (EndpointsPlan.hasSelector(service)) {
            syncEndpoints(service);
            syncSlices(service, EndpointsPlan.slices(service, pods.list(service.path("metadata").path("namespace").asText())), MANAGED_BY);
            syncSlices(service, List.of(), MIRRORED_BY); // mirrored while it had no selector
        } else {
            Optional<ObjectNode> own = endpoints.get(key);
            List<ObjectNode> mirrored = own.isPresent() && !ownedBy(own.get(), service) ? EndpointsPlan.mirror(own.get()) : List.of();
            syncSlices(service, mirrored, MIRRORED_BY);
            syncSlices(service, List.of(), MANAGED_BY); // slices made while it had a selector
        }
        return syncLoadBalancer(key, service);
    }

    /**
     * The kubernetes Service and its Endpoints, as kube-apiserver keeps them (made again if
     * deleted). Returns false when the Service was only created now.
     */
    private boolean syncKubernetes() throws Exception {
        String key = ObjectKey.of(KubernetesService.NAMESPACE, KubernetesService.NAME);
        Optional<ObjectNode> own = endpoints.get(key);
        if (own.isEmpty()) {
            try {
                endpointsClient.create(kubernetes.endpoints());
            } catch (ApiStatusException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
            }
        } else if (!own.get().path("subsets").equals(kubernetes.subsets())) {
            ObjectNode next = own.get().deepCopy();
            next.set("subsets", kubernetes.subsets());
            endpointsClient.update(next);
        }
        if (services.get(key).isPresent()) {
            return true;
        }
        ObjectNode service = kubernetes.service();
        try {
            serviceClient.create(service);
        } catch (ApiStatusException e) {
            if (e.isAlreadyExists()) {
                return true;
            }
            if (e.code() != 422) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "the kubernetes Service cannot have {0} ({1}): it gets another address",
                    kubernetes.ip(), e.getMessage());
            ((ObjectNode) service.path("spec")).remove(List.of("clusterIP", "clusterIPs"));
            serviceClient.create(service);
        }
        return false;
    }

    private static boolean isLoadBalancer(JsonNode service) {
        return ServiceAllocator.LOAD_BALANCER.equals(service.path("spec").path("type").asText());
    }

    private static boolean missesAllocations(JsonNode service) {
        String type = service.path("spec").path("type").asText(ServiceAllocator.CLUSTER_IP);
        if (type.equals(ServiceAllocator.EXTERNAL_NAME)) {
            return false;
        }
        if (service.path("spec").path("clusterIP").asText("").isEmpty()) {
            return true;
        }
        boolean wantsPorts = type.equals(ServiceAllocator.NODE_PORT)
                || (type.equals(ServiceAllocator.LOAD_BALANCER) && service.path("spec").path("allocateLoadBalancerNodePorts").asBoolean(true));
        if (wantsPorts) {
            for (JsonNode port : service.path("spec").path("ports")) {
                if (port.path("nodePort").asInt(0) == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- Endpoints and EndpointSlices

    private static ObjectNode ownerReference(JsonNode service) {
        ObjectNode ref = JsonNodeFactory.instance.objectNode();
        ref.put("apiVersion", "v1").put("kind", "Service").put("name", service.path("metadata").path("name").asText())
                .put("uid", service.path("metadata").path("uid").asText()).put("controller", true).put("blockOwnerDeletion", true);
        return ref;
    }

    private static boolean ownedBy(JsonNode object, JsonNode service) {
        for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
            if (ref.path("uid").asText().equals(service.path("metadata").path("uid").asText())) {
                return true;
            }
        }
        return false;
    }

    /** The labels Kubernetes gives a Service's Endpoints: the Service's, and the headless mark. */
    private static ObjectNode endpointsLabels(JsonNode service) {
        ObjectNode labels = service.path("metadata").path("labels").isObject() ? service.path("metadata").path("labels").deepCopy()
                : JsonNodeFactory.instance.objectNode();
        labels.remove(List.of(SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL));
        if (ServiceAllocator.NONE.equals(service.path("spec").path("clusterIP").asText())) {
            labels.put(HEADLESS_LABEL, "");
        }
        return labels;
    }

    private void syncEndpoints(ObjectNode service) throws Exception {
        ArrayNode subsets = EndpointsPlan.subsets(service, pods.list(service.path("metadata").path("namespace").asText()));
        ObjectNode labels = endpointsLabels(service);
        Optional<ObjectNode> existing = endpoints.get(key(service));
        if (existing.isPresent()) {
            JsonNode current = existing.get();
            JsonNode currentSubsets = current.path("subsets").isArray() ? current.path("subsets") : JsonNodeFactory.instance.arrayNode();
            JsonNode currentLabels = current.path("metadata").path("labels").isObject() ? current.path("metadata").path("labels")
                    : JsonNodeFactory.instance.objectNode();
            if (currentSubsets.equals(subsets) && currentLabels.equals(labels) && ownedBy(current, service)) {
                return;
            }
            ObjectNode next = existing.get().deepCopy();
            next.with("metadata").set("labels", labels);
            if (!ownedBy(current, service)) {
                next.with("metadata").putArray("ownerReferences").add(ownerReference(service));
            }
            setSubsets(next, subsets);
            endpointsClient.update(next);
            return;
        }
        ObjectNode created = JsonNodeFactory.instance.objectNode();
        created.put("apiVersion", "v1").put("kind", "Endpoints");
        ObjectNode metadata = created.putObject("metadata").put("name", service.path("metadata").path("name").asText())
                .put("namespace", service.path("metadata").path("namespace").asText());
        metadata.set("labels", labels);
        metadata.putArray("ownerReferences").add(ownerReference(service));
        setSubsets(created, subsets);
        try {
            endpointsClient.create(created);
        } catch (ApiStatusException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            queue.addAfter(SVC + key(service), Duration.ofMillis(200)); // the cache has not seen it yet
        }
    }

    private static void setSubsets(ObjectNode endpoints, ArrayNode subsets) {
        if (subsets.isEmpty()) {
            endpoints.remove("subsets");
        } else {
            endpoints.set("subsets", subsets);
        }
    }

    private static ObjectNode sliceLabels(JsonNode service, String managedBy) {
        ObjectNode labels = endpointsLabels(service);
        labels.put(SERVICE_NAME_LABEL, service.path("metadata").path("name").asText());
        labels.put(MANAGED_BY_LABEL, managedBy);
        return labels;
    }

    /**
     * Makes the Service's slices managed by {@code managedBy} hold {@code desired} ({@code {ports,
     * endpoints}} each): a slice already equal is left alone, others are rewritten in place, the
     * rest created or deleted.
     */
    private void syncSlices(ObjectNode service, List<ObjectNode> desired, String managedBy) throws Exception {
        ObjectNode labels = sliceLabels(service, managedBy);
        List<ObjectNode> existing = new ArrayList<>();
        for (ObjectNode slice : slices.byIndex(BY_SERVICE, key(service))) {
            if (managedBy.equals(slice.path("metadata").path("labels").path(MANAGED_BY_LABEL).asText()) && ownedBy(slice, service)) {
                existing.add(slice);
            }
        }
        List<ObjectNode> todo = new ArrayList<>(desired);
        List<ObjectNode> spare = new ArrayList<>(existing);
        for (ObjectNode want : desired) {
            for (ObjectNode have : spare) {
                if (sameContent(have, want) && labels.equals(have.path("metadata").path("labels"))) {
                    spare.remove(have);
                    todo.remove(want);
                    break;
                }
            }
        }
        for (ObjectNode want : todo) {
            if (!spare.isEmpty()) {
                ObjectNode have = spare.stream().filter(s -> s.path("ports").equals(want.path("ports"))).findFirst().orElse(spare.get(0));
                spare.remove(have);
                ObjectNode next = have.deepCopy();
                next.with("metadata").set("labels", labels.deepCopy());
                next.put("addressType", "IPv4");
                next.set("ports", want.get("ports"));
                next.set("endpoints", want.get("endpoints"));
                sliceClient.update(next);
            } else {
                ObjectNode created = JsonNodeFactory.instance.objectNode();
                created.put("apiVersion", "discovery.k8s.io/v1").put("kind", "EndpointSlice");
                ObjectNode metadata = created.putObject("metadata").put("generateName", service.path("metadata").path("name").asText() + "-")
                        .put("namespace", service.path("metadata").path("namespace").asText());
                metadata.set("labels", labels.deepCopy());
                metadata.putArray("ownerReferences").add(ownerReference(service));
                created.put("addressType", "IPv4");
                created.set("ports", want.get("ports"));
                created.set("endpoints", want.get("endpoints"));
                sliceClient.create(created);
            }
        }
        for (ObjectNode extra : spare) {
            sliceClient.delete(extra.path("metadata").path("namespace").asText(), extra.path("metadata").path("name").asText(),
                    DeleteOptions.DEFAULT.withPreconditionUid(extra.path("metadata").path("uid").asText()));
        }
    }

    private static boolean sameContent(JsonNode slice, JsonNode want) {
        return "IPv4".equals(slice.path("addressType").asText()) && array(slice.path("ports")).equals(array(want.path("ports")))
                && array(slice.path("endpoints")).equals(array(want.path("endpoints")));
    }

    private static JsonNode array(JsonNode node) {
        return node.isArray() ? node : JsonNodeFactory.instance.arrayNode();
    }

    // ---- load balancers

    private static List<LoadBalancerIngress> ingressOf(JsonNode service) {
        List<LoadBalancerIngress> ingress = new ArrayList<>();
        for (JsonNode point : service.path("status").path("loadBalancer").path("ingress")) {
            String ip = point.path("ip").asText(null);
            String hostname = point.path("hostname").asText(null);
            if ((ip != null && !ip.isEmpty()) || (hostname != null && !hostname.isEmpty())) {
                ingress.add(new LoadBalancerIngress(ip, hostname, point.path("ipMode").asText(null)));
            }
        }
        return ingress;
    }

    private LoadBalancerRequest request(ObjectNode service, Set<String> inUse) {
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = json.convertValue(service, Map.class);
        return new LoadBalancerRequest(service.path("metadata").path("namespace").asText(), service.path("metadata").path("name").asText(),
                service.path("metadata").path("uid").asText(), tree, ingressOf(service), inUse);
    }

    private Duration syncLoadBalancer(String key, ObjectNode service) throws Exception {
        if (!isLoadBalancer(service)) {
            loadBalancers.remove(key);
            given.remove(key);
            if (!ingressOf(service).isEmpty()) {
                release(service);
                ObjectNode next = service.deepCopy();
                next.with("status").set("loadBalancer", JsonNodeFactory.instance.objectNode());
                serviceClient.updateStatus(next);
            }
            return Duration.ZERO;
        }
        loadBalancers.put(key, service);
        LoadBalancerProvider current = provider.get();
        if (current == null) {
            return Duration.ZERO; // the Service keeps what it has; the provider's arrival looks again
        }
        List<LoadBalancerIngress> ingress;
        synchronized (loadBalancerLock) {
            Set<String> inUse = new HashSet<>();
            for (ObjectNode other : services.list()) {
                if (!key(other).equals(key) && isLoadBalancer(other)) {
                    ingressOf(other).forEach(point -> inUse.add(point.ip() != null ? point.ip() : point.hostname()));
                }
            }
            given.forEach((other, addresses) -> {
                if (!other.equals(key)) {
                    inUse.addAll(addresses);
                }
            });
            try {
                ingress = current.ensure(request(service, inUse));
            } catch (LoadBalancerException e) {
                tell(service, "SyncLoadBalancerFailed", "Error syncing load balancer: " + e.getMessage());
                return RESYNC;
            }
            Set<String> mine = new HashSet<>();
            ingress.forEach(point -> mine.add(point.ip() != null ? point.ip() : point.hostname()));
            given.put(key, mine);
        }
        if (ingress.equals(ingressOf(service))) {
            return Duration.ZERO;
        }
        ObjectNode next = service.deepCopy();
        ArrayNode points = next.with("status").with("loadBalancer").putArray("ingress");
        for (LoadBalancerIngress point : ingress) {
            ObjectNode item = points.addObject();
            if (point.ip() != null) {
                item.put("ip", point.ip());
            }
            if (point.hostname() != null) {
                item.put("hostname", point.hostname());
            }
            if (point.ipMode() != null) {
                item.put("ipMode", point.ipMode());
            }
        }
        if (ingress.isEmpty()) {
            next.with("status").set("loadBalancer", JsonNodeFactory.instance.objectNode());
        }
        serviceClient.updateStatus(next);
        told.remove(service.path("metadata").path("uid").asText());
        recorder.normal(fabric8(service), "EnsuredLoadBalancer", "Ensured load balancer");
        return Duration.ZERO;
    }

    private void release(ObjectNode service) {
        LoadBalancerProvider current = provider.get();
        if (current == null) {
            return;
        }
        try {
            current.release(request(service, Set.of()));
        } catch (LoadBalancerException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing the load balancer of " + key(service) + " failed: " + e.getMessage());
        }
    }

    private void tell(ObjectNode service, String reason, String message) {
        if (!message.equals(told.put(service.path("metadata").path("uid").asText(), message))) {
            recorder.warning(fabric8(service), reason, message);
        }
    }

    private Service fabric8(ObjectNode service) {
        return json.convertValue(service, Service.class);
    }

    // ---- repair of allocations

    private static boolean holdsIp(JsonNode service, String ip) {
        if (service == null || ServiceAllocator.EXTERNAL_NAME.equals(service.path("spec").path("type").asText())) {
            return false;
        }
        for (JsonNode held : service.path("spec").path("clusterIPs")) {
            if (held.asText().equals(ip)) {
                return true;
            }
        }
        return ip.equals(service.path("spec").path("clusterIP").asText());
    }

    /** An IPAddress no Service holds is freed once older than the grace (a create in flight has not stored its Service yet). */
    private Duration repairAddress(String ip) throws Exception {
        Optional<ObjectNode> object = addresses.get(ip);
        if (object.isEmpty() || !ApiStores.MANAGED_BY.equals(object.get().path("metadata").path("labels").path(ApiStores.MANAGED_BY_LABEL).asText())) {
            return Duration.ZERO;
        }
        ClusterIps.Entry entry = ApiStores.entry(object.get());
        if (entry == null) {
            return Duration.ZERO;
        }
        String ownerKey = ObjectKey.of(entry.owner().namespace(), entry.owner().name());
        if (holdsIp(services.get(ownerKey).orElse(null), ip)) {
            return Duration.ZERO;
        }
        Duration age = Duration.between(entry.created(), Instant.now());
        if (age.compareTo(grace) < 0) {
            return grace.minus(age).plusMillis(100);
        }
        // never free on the word of a cache that may lag
        if (holdsIp(serviceClient.find(entry.owner().namespace(), entry.owner().name()).orElse(null), ip)) {
            return Duration.ZERO;
        }
        LOG.log(System.Logger.Level.INFO, "freeing ClusterIP {0}: Service {1} does not hold it", ip, entry.owner());
        clusterIps.release(entry);
        return Duration.ZERO;
    }

    /** A Service holding an address the store lacks (a lost IPAddress) gets it written back, as Kubernetes' repair does. */
    private void repairServiceAddress(ObjectNode service) throws Exception {
        String ip = service.path("spec").path("clusterIP").asText("");
        if (ip.isEmpty() || ip.equals(ServiceAllocator.NONE) || !clusterIps.range().isUsable(ip) || addresses.get(ip).isPresent()) {
            return;
        }
        Owner owner = new Owner(service.path("metadata").path("namespace").asText(), service.path("metadata").path("name").asText());
        if (ipStore.create(ip, owner)) {
            LOG.log(System.Logger.Level.INFO, "the ClusterIP {0} of Service {1} was not allocated: repaired", ip, owner);
            return;
        }
        ClusterIps.Entry entry = ipStore.find(ip).orElse(null);
        if (entry != null && !entry.owner().equals(owner)) {
            tell(service, "ClusterIPAlreadyAllocated", "Cluster IP " + ip + " was assigned to multiple services; please recreate service");
        }
    }

    private static Set<Integer> nodePortsOf(JsonNode service) {
        Set<Integer> ports = new HashSet<>();
        if (service == null) {
            return ports;
        }
        String type = service.path("spec").path("type").asText();
        if (!type.equals(ServiceAllocator.NODE_PORT) && !type.equals(ServiceAllocator.LOAD_BALANCER)) {
            return ports;
        }
        for (JsonNode port : service.path("spec").path("ports")) {
            if (port.path("nodePort").asInt(0) != 0) {
                ports.add(port.path("nodePort").asInt());
            }
        }
        if (service.path("spec").path("healthCheckNodePort").asInt(0) != 0) {
            ports.add(service.path("spec").path("healthCheckNodePort").asInt());
        }
        return ports;
    }

    /**
     * Frees the node ports no Service holds (older than the grace, confirmed by the API server),
     * and writes back those a Service holds that the map lacks.
     */
    private Duration repairPorts() throws Exception {
        NodePorts.Versioned current = portStore.read();
        Instant now = Instant.now();
        Map<Integer, NodePorts.Allocation> stale = new HashMap<>();
        Duration again = Duration.ZERO;
        Map<Owner, JsonNode> live = new HashMap<>();
        for (Map.Entry<Integer, NodePorts.Allocation> entry : current.ports().entrySet()) {
            Owner owner = entry.getValue().owner();
            if (nodePortsOf(services.get(ObjectKey.of(owner.namespace(), owner.name())).orElse(null)).contains(entry.getKey())) {
                continue;
            }
            Duration age = Duration.between(entry.getValue().at(), now);
            if (age.compareTo(grace) < 0) {
                Duration wait = grace.minus(age).plusMillis(100);
                again = again.isZero() || wait.compareTo(again) < 0 ? wait : again;
                continue;
            }
            JsonNode service = live.computeIfAbsent(owner, o -> {
                try {
                    return serviceClient.find(o.namespace(), o.name()).orElse(null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            if (!nodePortsOf(service).contains(entry.getKey())) {
                stale.put(entry.getKey(), entry.getValue());
            }
        }
        if (!stale.isEmpty()) {
            Map<Integer, NodePorts.Allocation> freed = nodePorts.release((port, allocation) -> allocation.equals(stale.get(port)));
            if (!freed.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "freed node ports no Service holds: {0}", freed.keySet());
            }
        }
        adoptHeldPorts(current.ports());
        return again;
    }

    /** Node ports Services hold that the map lacks (it was lost or edited) are written back to them. */
    private void adoptHeldPorts(Map<Integer, NodePorts.Allocation> known) throws Exception {
        for (ObjectNode service : services.list()) {
            Set<Integer> held = nodePortsOf(service);
            held.removeIf(port -> known.containsKey(port) || !nodePorts.range().contains(port));
            if (held.isEmpty()) {
                continue;
            }
            Owner owner = new Owner(service.path("metadata").path("namespace").asText(), service.path("metadata").path("name").asText());
            List<NodePorts.Request> requests = held.stream().map(port -> new NodePorts.Request("spec.ports", port)).toList();
            try {
                nodePorts.allocate(owner, requests, Set.of(), Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
                LOG.log(System.Logger.Level.INFO, "the node ports {0} of Service {1} were not allocated: repaired", held, owner);
            } catch (NodePorts.FieldException e) {
                tell(service, "PortAlreadyAllocated", "Port " + e.value() + " was assigned to multiple services; please recreate service");
            }
        }
    }

}
