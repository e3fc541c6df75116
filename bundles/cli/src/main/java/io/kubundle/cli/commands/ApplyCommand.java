package io.kubundle.cli.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.Manifests.Manifest;
import io.kubundle.cli.kube.ThreeWayMerge;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "apply", description = {"Create or update resources from files, as kubectl's client-side apply does:",
    "the configuration is kept in the kubectl.kubernetes.io/last-applied-configuration annotation, and an update",
    "is a JSON merge patch from it, the new configuration and the live object (lists are replaced whole)."})
final class ApplyCommand extends KubeCommand {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    @Mixin
    FileOptions files;

    @Override
    int run() throws IOException, ApiStatusException, CommandException {
        forEachManifest(files, "applying", this::apply);
        return 0;
    }

    private void apply(Cluster cluster, Manifest manifest) throws IOException, ApiStatusException, CommandException {
        ApiResource resource = FileOptions.resourceOf(cluster, manifest);
        String namespace = FileOptions.namespaceOf(manifest, resource, kube);
        String name = FileOptions.nameOf(manifest);
        ObjectMapper json = cluster.client().json();
        ObjectNode modified = manifest.object().deepCopy();
        if (namespace != null) {
            ((ObjectNode) modified.path("metadata")).put("namespace", namespace);
        }
        ObjectNode annotations = annotations(modified);
        annotations.remove(LAST_APPLIED);
        annotations.put(LAST_APPLIED, json.writeValueAsString(withoutLastApplied(modified)) + "\n");
        ResourceClient<ObjectNode> client = cluster.resources(resource);
        Optional<ObjectNode> live = client.find(namespace, name);
        if (live.isEmpty()) {
            ObjectNode created = client.create(modified);
            out().println(ApiResource.objectNameOf(created) + " created");
            out().flush();
            return;
        }
        JsonNode original = lastApplied(json, live.get());
        ObjectNode patch = ThreeWayMerge.patch(original, modified, live.get());
        patch.remove("apiVersion");
        patch.remove("kind");
        if (patch.isEmpty()) {
            out().println(ApiResource.objectNameOf(live.get()) + " unchanged");
        } else {
            ObjectNode patched = client.patch(namespace, name, PatchType.MERGE, patch);
            out().println(ApiResource.objectNameOf(patched) + " configured");
        }
        out().flush();
    }

    // the configuration without the annotation, as the annotation's own value
    private static ObjectNode withoutLastApplied(ObjectNode modified) {
        ObjectNode copy = modified.deepCopy();
        ((ObjectNode) copy.path("metadata").path("annotations")).remove(LAST_APPLIED);
        return copy;
    }

    private static ObjectNode annotations(ObjectNode object) throws CommandException {
        JsonNode metadata = object.path("metadata");
        if (!(metadata instanceof ObjectNode metadataObject)) {
            throw new CommandException("the object has no metadata");
        }
        JsonNode annotations = metadataObject.path("annotations");
        return annotations instanceof ObjectNode existing ? existing : metadataObject.putObject("annotations");
    }

    // what the annotation holds; an object without one was created otherwise, and its fields are not ours to delete
    private static JsonNode lastApplied(ObjectMapper json, JsonNode live) {
        String text = live.path("metadata").path("annotations").path(LAST_APPLIED).asText("");
        if (text.isEmpty()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return json.createObjectNode();
        }
    }
}
