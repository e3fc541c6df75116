package io.kubundle.controller.gc.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceKind;

/**
 * The resources the collector works on: those that can be listed, watched and deleted.
 *
 * @param watched what to watch: each group's preferred version, except the legacy
 *        {@code extensions} group, whose objects are the {@code apps} ones under another name
 * @param all every served version, for resolving owner references, which may name any of them
 */
record Discovery(List<ResourceKind<ObjectNode>> watched, List<ResourceKind<ObjectNode>> all) {
    private static final String LEGACY_GROUP = "extensions";

    static Discovery of(KubeClient client) throws IOException, ApiStatusException {
        List<ResourceKind<ObjectNode>> watched = new ArrayList<>();
        List<ResourceKind<ObjectNode>> all = new ArrayList<>();
        List<ResourceKind<ObjectNode>> core = resources("v1", client.getRaw("/api/v1"));
        watched.addAll(core);
        all.addAll(core);
        for (JsonNode group : client.getRaw("/apis").path("groups")) {
            String preferred = group.path("preferredVersion").path("groupVersion").asText();
            for (JsonNode version : group.path("versions")) {
                String groupVersion = version.path("groupVersion").asText();
                List<ResourceKind<ObjectNode>> resources = resources(groupVersion, client.getRaw("/apis/" + groupVersion));
                all.addAll(resources);
                if (groupVersion.equals(preferred) && !group.path("name").asText().equals(LEGACY_GROUP)) {
                    watched.addAll(resources);
                }
            }
        }
        return new Discovery(List.copyOf(watched), List.copyOf(all));
    }

    private static List<ResourceKind<ObjectNode>> resources(String groupVersion, JsonNode list) {
        List<ResourceKind<ObjectNode>> kinds = new ArrayList<>();
        for (JsonNode resource : list.path("resources")) {
            String name = resource.path("name").asText();
            List<String> verbs = new ArrayList<>();
            resource.path("verbs").forEach(verb -> verbs.add(verb.asText()));
            if (name.contains("/") || !verbs.containsAll(List.of("list", "watch", "delete"))) {
                continue;
            }
            kinds.add(ResourceKind.of(groupVersion, resource.path("kind").asText(), name, resource.path("namespaced").asBoolean(),
                    ObjectNode.class));
        }
        return kinds;
    }
}
