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
 * REST mapper reads them. Legacy group versions (extensions/v1beta1, apps/v1beta1 and v1beta2)
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

    /** The APIResourceList of one group version, or null if it is not served. */
    ObjectNode resources(String group, String version) {
        String groupVersion = group.isEmpty() ? version : group + "/" + version;
        List<String> legacy = LEGACY_VERSIONS.get(groupVersion);
        ObjectNode list = object("APIResourceList", "v1");
        list.put("groupVersion", groupVersion);
        ArrayNode resources = list.putArray("resources");
        boolean any = false;
        for (ResourceType type : types.all()) {
            boolean served = legacy != null ? legacy.contains(type.plural()) && type.group().equals("apps")
                    : type.group().equals(group) && type.version().equals(version);
            if (!served) {
                continue;
            }
            any = true;
            ObjectNode resource = resources.addObject();
            resource.put("name", type.plural()).put("singularName", type.singular()).put("namespaced", type.namespaced())
                    .put("kind", type.kind());
            ArrayNode verbs = resource.putArray("verbs");
            VERBS.forEach(verbs::add);
            // short names and categories only on the current version, or kubectl warns that they are ambiguous
            if (legacy == null && !type.shortNames().isEmpty()) {
                ArrayNode shortNames = resource.putArray("shortNames");
                type.shortNames().forEach(shortNames::add);
            }
            if (legacy == null && CATEGORY_ALL.contains(type.kind())) {
                resource.putArray("categories").add("all");
            }
            if (type.hasStatus()) {
                ObjectNode status = resources.addObject();
                status.put("name", type.plural() + "/status").put("singularName", "").put("namespaced", type.namespaced())
                        .put("kind", type.kind());
                status.putArray("verbs").add("get").add("patch").add("update");
            }
            if (type.subresources().contains("binding")) {
                ObjectNode binding = resources.addObject();
                binding.put("name", type.plural() + "/binding").put("singularName", "").put("namespaced", true).put("kind", "Binding");
                binding.putArray("verbs").add("create");
            }
            if (type.subresources().contains("eviction")) {
                ObjectNode eviction = resources.addObject();
                eviction.put("name", type.plural() + "/eviction").put("singularName", "").put("namespaced", true)
                        .put("group", "policy").put("version", "v1").put("kind", "Eviction");
                eviction.putArray("verbs").add("create");
            }
            if (type.subresources().contains("scale")) {
                ObjectNode scale = resources.addObject();
                scale.put("name", type.plural() + "/scale").put("singularName", "").put("namespaced", true)
                        .put("group", "autoscaling").put("version", "v1").put("kind", "Scale");
                scale.putArray("verbs").add("get").add("patch").add("update");
            }
        }
        if (groupVersion.equals("v1")) {
            ObjectNode bindings = resources.addObject();
            bindings.put("name", "bindings").put("singularName", "binding").put("namespaced", true).put("kind", "Binding");
            bindings.putArray("verbs").add("create");
        }
        return any ? list : null;
    }

    private static ObjectNode object(String kind, String apiVersion) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", kind).put("apiVersion", apiVersion);
        return node;
    }
}
