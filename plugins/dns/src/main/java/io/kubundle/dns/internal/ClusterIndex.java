package io.kubundle.dns.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the DNS server answers from: Services and EndpointSlices, folded per Service into a
 * {@link View} that lookups find by key in O(1). Informer threads write (each write is one
 * synchronized step that publishes new immutable views); server threads read without locks and
 * never wait for the API.
 */
final class ClusterIndex {
    record Port(String name, String protocol, int port) {
    }

    /** One endpoint of a slice: its addresses, its {@code hostname} (may be empty), whether it is ready. */
    record Endpoint(List<String> addresses, String hostname, boolean ready) {
    }

    record ServiceData(String namespace, String name, String type, List<String> clusterIps, String externalName, List<Port> ports,
            boolean publishNotReadyAddresses) {
        boolean isExternalName() {
            return "ExternalName".equals(type);
        }

        /** No cluster IP (clusterIP: None): DNS answers with the endpoints' addresses. */
        boolean isHeadless() {
            return !isExternalName() && clusterIps.isEmpty();
        }
    }

    record SliceData(String namespace, String name, String service, List<Port> ports, List<Endpoint> endpoints) {
    }

    /**
     * One name under a service: {@code <label>.<svc>.<ns>.svc}, where the label is the endpoint's
     * hostname or its dashed address; the ports are those of the slice it came from.
     */
    record Target(String label, List<String> addresses, List<Port> ports) {
    }

    /** A service as DNS sees it: the service, and the endpoints DNS serves (ready ones, or all when it publishes not-ready addresses). */
    record View(ServiceData service, Map<String, Target> targets) {
        /** The addresses the service's own name stands for. */
        List<String> addresses() {
            if (!service.isHeadless()) {
                return service.clusterIps();
            }
            Set<String> result = new LinkedHashSet<>();
            for (Target target : targets.values()) {
                result.addAll(target.addresses());
            }
            return List.copyOf(result);
        }
    }

    private final Map<String, ServiceData> services = new HashMap<>();
    private final Map<String, SliceData> slices = new HashMap<>();
    private final Map<String, Set<String>> slicesByService = new HashMap<>();
    private final Map<String, Integer> servicesPerNamespace = new HashMap<>();
    /** address -> service key -> names relative to the cluster domain; writers only. */
    private final Map<String, Map<String, List<String>>> reverseByService = new HashMap<>();

    private final Map<String, View> views = new ConcurrentHashMap<>();
    private final Map<String, List<String>> reverse = new ConcurrentHashMap<>();
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();

    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    synchronized void putService(ServiceData service) {
        String key = key(service.namespace(), service.name());
        if (services.put(key, service) == null) {
            servicesPerNamespace.merge(service.namespace(), 1, Integer::sum);
            namespaces.add(service.namespace());
        }
        rebuild(key);
    }

    synchronized void removeService(String namespace, String name) {
        String key = key(namespace, name);
        if (services.remove(key) != null && servicesPerNamespace.merge(namespace, -1, Integer::sum) <= 0) {
            servicesPerNamespace.remove(namespace);
            namespaces.remove(namespace);
        }
        rebuild(key);
    }

    synchronized void putSlice(SliceData slice) {
        String sliceKey = key(slice.namespace(), slice.name());
        SliceData old = slices.put(sliceKey, slice);
        if (old != null && !old.service().equals(slice.service())) {
            forgetSlice(old, sliceKey);
        }
        String serviceKey = key(slice.namespace(), slice.service());
        slicesByService.computeIfAbsent(serviceKey, k -> new HashSet<>()).add(sliceKey);
        rebuild(serviceKey);
    }

    synchronized void removeSlice(String namespace, String name) {
        String sliceKey = key(namespace, name);
        SliceData old = slices.remove(sliceKey);
        if (old != null) {
            forgetSlice(old, sliceKey);
        }
    }

    private void forgetSlice(SliceData slice, String sliceKey) {
        String serviceKey = key(slice.namespace(), slice.service());
        Set<String> keys = slicesByService.get(serviceKey);
        if (keys != null) {
            keys.remove(sliceKey);
            if (keys.isEmpty()) {
                slicesByService.remove(serviceKey);
            }
        }
        rebuild(serviceKey);
    }

    /** The service under {@code namespace/name}, or null. */
    View view(String namespace, String name) {
        return views.get(key(namespace, name));
    }

    /** True when the namespace has at least one service (so {@code <ns>.svc.<domain>} exists). */
    boolean hasNamespace(String namespace) {
        return namespaces.contains(namespace);
    }

    /** The names (relative to the cluster domain, such as {@code web.default.svc}) an address has. */
    List<String> namesOf(String address) {
        return reverse.getOrDefault(address, List.of());
    }

    int serviceCount() {
        return views.size();
    }

    /** Brings the service's view and its reverse names to what the service and its slices say now. */
    private void rebuild(String serviceKey) {
        ServiceData service = services.get(serviceKey);
        Map<String, List<String>> names = new LinkedHashMap<>();
        if (service == null) {
            views.remove(serviceKey);
        } else {
            View view = new View(service, targets(service, serviceKey));
            views.put(serviceKey, view);
            String serviceName = service.name() + "." + service.namespace() + ".svc";
            if (service.isHeadless()) {
                for (Target target : view.targets().values()) {
                    for (String address : target.addresses()) {
                        names.computeIfAbsent(address, a -> new ArrayList<>()).add(target.label() + "." + serviceName);
                    }
                }
            } else if (!service.isExternalName()) {
                for (String address : service.clusterIps()) {
                    names.computeIfAbsent(address, a -> new ArrayList<>()).add(serviceName);
                }
            }
        }
        Set<String> touched = new HashSet<>(names.keySet());
        reverseByService.entrySet().removeIf(entry -> {
            if (entry.getValue().remove(serviceKey) != null) {
                touched.add(entry.getKey());
            }
            return entry.getValue().isEmpty();
        });
        names.forEach((address, list) -> reverseByService.computeIfAbsent(address, a -> new LinkedHashMap<>()).put(serviceKey,
                List.copyOf(list)));
        for (String address : touched) {
            Map<String, List<String>> byService = reverseByService.get(address);
            if (byService == null) {
                reverse.remove(address);
            } else {
                List<String> all = new ArrayList<>();
                byService.values().forEach(all::addAll);
                reverse.put(address, List.copyOf(all));
            }
        }
    }

    private Map<String, Target> targets(ServiceData service, String serviceKey) {
        Map<String, Target> targets = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (String sliceKey : slicesByService.getOrDefault(serviceKey, Set.of()).stream().sorted().toList()) {
            SliceData slice = slices.get(sliceKey);
            for (Endpoint endpoint : slice.endpoints()) {
                if (!endpoint.ready() && !service.publishNotReadyAddresses()) {
                    continue;
                }
                List<String> addresses = endpoint.addresses().stream().filter(seen::add).toList();
                if (addresses.isEmpty()) {
                    continue;
                }
                String label = endpoint.hostname().isEmpty() ? Addresses.dashed(addresses.get(0)) : endpoint.hostname().toLowerCase();
                Target existing = targets.get(label);
                if (existing != null) {
                    List<String> merged = new ArrayList<>(existing.addresses());
                    merged.addAll(addresses);
                    targets.put(label, new Target(label, List.copyOf(merged), existing.ports()));
                } else {
                    targets.put(label, new Target(label, addresses, slice.ports()));
                }
            }
        }
        return Collections.unmodifiableMap(targets);
    }
}
