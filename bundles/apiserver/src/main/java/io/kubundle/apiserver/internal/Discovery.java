package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * API discovery: {@code /api}, {@code /apis}, each group and each group version, as kubectl's
 * REST mapper reads them, and the aggregated form of {@code /api} and {@code /apis} that
 * kubectl asks for first (all resources in one document). Legacy group versions (extensions/v1beta1, apps/v1beta1 and v1beta2)
 * are listed after the current ones so that kubectl maps the tutorial's old YAML to them while
 * preferring the current versions for everything else.
 */
final class Discovery {
    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    private static final Set<String> CATEGORY_ALL = Set.of("Pod", "Service", "Deployment", "ReplicaSet", "DaemonSet",
            "StatefulSet", "Job", "CronJob", "ReplicationController");
    private static final Map<String, List<String>> LEGACY_VERSIONS = Map.of(
            "extensions/v1beta1", List.of("deployments", "daemonsets", "replicasets"),
            "apps/v1beta1", List.of("deployments", "statefulsets"),
            "apps/v1beta2", List.of("deployments", "daemonsets", "replicasets", "statefulsets"));

    private final ResourceTypes types;

    Discovery(ResourceTypes types) {
        this.types = types;
    }

    ObjectNode coreVersions(String serverAddress) {
        ObjectNode versions = object("APIVersions", "v1");
        versions.putArray("versions").add("v1");
        versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return versions;
    }

    ObjectNode groups() {
        ObjectNode list = object("APIGroupList", "v1");
        ArrayNode groups = list.putArray("groups");
        for (Map.Entry<String, List<String>> group : groupVersions().entrySet()) {
            if (!group.getKey().isEmpty()) {
                groups.add(group(group.getKey(), group.getValue()));
            }
        }
        return list;
    }

    /** The APIGroup of one group, or null if it is not served. */
    ObjectNode group(String name) {
        List<String> versions = groupVersions().get(name);
        return versions == null ? null : group(name, versions);
    }

    private ObjectNode group(String name, List<String> versions) {
        ObjectNode group = object("APIGroup", "v1");
        group.put("name", name);
        ArrayNode list = group.putArray("versions");
        for (String version : versions) {
            list.addObject().put("groupVersion", name + "/" + version).put("version", version);
        }
        group.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0)).put("version", versions.get(0));
        return group;
    }

    /** Group name to its versions, preferred first; the core group is "". */
    private Map<String, List<String>> groupVersions() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (ResourceType type : types.all()) {
            List<String> versions = groups.computeIfAbsent(type.group(), g -> new ArrayList<>());
            if (!versions.contains(type.version())) {
                versions.add(type.version());
            }
        }
        for (String legacy : List.of("apps/v1beta2", "apps/v1beta1", "extensions/v1beta1")) {
            int slash = legacy.indexOf('/');
            groups.computeIfAbsent(legacy.substring(0, slash), g -> new ArrayList<>()).add(legacy.substring(slash + 1));
        }
        return groups;
    }

    /**
     * One resource or subresource ({@code pods/status}) of a group version, as both forms of
     * discovery describe it. {@code group} and {@code version} are null when the kind is of the
     * group version itself.
     */
    private record Entry(String name, String singularName, boolean namespaced, String group, String version, String kind,
            List<String> verbs, List<String> shortNames, List<String> categories) {
        static Entry subresource(ResourceType type, String subresource, String group, String version, String kind,
                List<String> verbs) {
            return new Entry(type.plural() + "/" + subresource, "", type.namespaced(), group, version, kind, verbs, List.of(),
                    List.of());
        }
    }

    /** The resources and subresources of one group version, or null if it is not served. */
    private List<Entry> entries(String group, String version) {
        String groupVersion = group.isEmpty() ? version : group + "/" + version;
        List<String> legacy = LEGACY_VERSIONS.get(groupVersion);
        List<Entry> entries = new ArrayList<>();
        for (ResourceType type : types.all()) {
            boolean served = legacy != null ? legacy.contains(type.plural()) && type.group().equals("apps")
                    : type.group().equals(group) && type.version().equals(version);
            if (!served) {
                continue;
            }
            // short names and categories only on the current version, or kubectl warns that they are ambiguous
            entries.add(new Entry(type.plural(), type.singular(), type.namespaced(), null, null, type.kind(), VERBS,
                    legacy == null ? type.shortNames() : List.of(),
                    legacy == null && CATEGORY_ALL.contains(type.kind()) ? List.of("all") : List.of()));
            if (type.hasStatus()) {
                entries.add(Entry.subresource(type, "status", null, null, type.kind(), List.of("get", "patch", "update")));
            }
            if (type.subresources().contains("binding")) {
                entries.add(Entry.subresource(type, "binding", null, null, "Binding", List.of("create")));
            }
            if (type.subresources().contains("eviction")) {
                entries.add(Entry.subresource(type, "eviction", "policy", "v1", "Eviction", List.of("create")));
            }
            // what the kubelet serves through the API server (KubeletProxy), with Kubernetes' kinds and verbs
            if (type.subresources().contains("attach")) {
                entries.add(Entry.subresource(type, "attach", null, null, "PodAttachOptions", List.of("create", "get")));
            }
            if (type.subresources().contains("exec")) {
                entries.add(Entry.subresource(type, "exec", null, null, "PodExecOptions", List.of("create", "get")));
            }
            if (type.subresources().contains("log")) {
                entries.add(Entry.subresource(type, "log", null, null, type.kind(), List.of("get")));
            }
            if (type.subresources().contains("portforward")) {
                entries.add(Entry.subresource(type, "portforward", null, null, "PodPortForwardOptions", List.of("create", "get")));
            }
            if (type.subresources().contains("scale")) {
                entries.add(Entry.subresource(type, "scale", "autoscaling", "v1", "Scale", List.of("get", "patch", "update")));
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        if (groupVersion.equals("v1")) {
            entries.add(new Entry("bindings", "binding", true, null, null, "Binding", List.of("create"), List.of(), List.of()));
        }
        return entries;
    }

    /** The APIResourceList of one group version, or null if it is not served. */
    ObjectNode resources(String group, String version) {
        List<Entry> entries = entries(group, version);
        if (entries == null) {
            return null;
        }
        ObjectNode list = object("APIResourceList", "v1");
        list.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = list.putArray("resources");
        for (Entry entry : entries) {
            ObjectNode resource = resources.addObject();
            resource.put("name", entry.name()).put("singularName", entry.singularName()).put("namespaced", entry.namespaced());
            if (entry.group() != null) {
                resource.put("group", entry.group()).put("version", entry.version());
            }
            resource.put("kind", entry.kind());
            strings(resource, "verbs", entry.verbs());
            strings(resource, "shortNames", entry.shortNames());
            strings(resource, "categories", entry.categories());
        }
        return list;
    }

    /**
     * Aggregated discovery ({@code apidiscovery.k8s.io/v2} or {@code v2beta1}): every group
     * version's resources in one APIGroupDiscoveryList, the core group's for {@code /api}, the
     * others' for {@code /apis}, in the order of preference the plain documents give.
     */
    ObjectNode aggregated(boolean core, String apiVersion) {
        ObjectNode list = object("APIGroupDiscoveryList", apiVersion);
        list.putObject("metadata");
        ArrayNode items = list.putArray("items");
        for (Map.Entry<String, List<String>> group : groupVersions().entrySet()) {
            if (group.getKey().isEmpty() != core) {
                continue;
            }
            ObjectNode item = items.addObject();
            ObjectNode metadata = item.putObject("metadata");
            if (!core) {
                metadata.put("name", group.getKey());
            }
            ArrayNode versions = item.putArray("versions");
            for (String version : group.getValue()) {
                ObjectNode versionNode = versions.addObject().put("version", version);
                versionNode.set("resources", aggregatedResources(group.getKey(), version, entries(group.getKey(), version)));
                versionNode.put("freshness", "Current");
            }
        }
        return list;
    }

    private static ArrayNode aggregatedResources(String group, String version, List<Entry> entries) {
        ArrayNode resources = JsonNodeFactory.instance.arrayNode();
        Map<String, ObjectNode> byName = new LinkedHashMap<>();
        for (Entry entry : entries) {
            int slash = entry.name().indexOf('/');
            ObjectNode kind = JsonNodeFactory.instance.objectNode();
            kind.put("group", entry.group() == null ? group : entry.group())
                    .put("version", entry.version() == null ? version : entry.version()).put("kind", entry.kind());
            if (slash < 0) {
                ObjectNode resource = resources.addObject();
                resource.put("resource", entry.name()).set("responseKind", kind);
                resource.put("scope", entry.namespaced() ? "Namespaced" : "Cluster").put("singularResource", entry.singularName());
                strings(resource, "verbs", entry.verbs());
                strings(resource, "shortNames", entry.shortNames());
                strings(resource, "categories", entry.categories());
                byName.put(entry.name(), resource);
            } else {
                ObjectNode subresource = byName.get(entry.name().substring(0, slash)).withArray("subresources").addObject();
                subresource.put("subresource", entry.name().substring(slash + 1)).set("responseKind", kind);
                strings(subresource, "verbs", entry.verbs());
            }
        }
        return resources;
    }

    /** A list of strings, left out when empty. */
    private static void strings(ObjectNode node, String field, List<String> values) {
        if (!values.isEmpty()) {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }

    private static ObjectNode object(String kind, String apiVersion) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", kind).put("apiVersion", apiVersion);
        return node;
    }
}
