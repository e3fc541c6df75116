package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.Manifests.Manifest;
import io.kubundle.client.kube.ApiStatusException;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "create", description = "Create resources from files; an object that exists already is an error.")
final class CreateCommand extends KubeCommand {
    @Mixin
    FileOptions files;

    @Override
    int run() throws IOException, ApiStatusException, CommandException {
        forEachManifest(files, "creating", this::create);
        return 0;
    }

    private void create(Cluster cluster, Manifest manifest) throws IOException, ApiStatusException, CommandException {
        ApiResource resource = FileOptions.resourceOf(cluster, manifest);
        ObjectNode object = manifest.object().deepCopy();
        String namespace = FileOptions.namespaceOf(manifest, resource, kube);
        if (namespace != null) {
            ((ObjectNode) object.path("metadata")).put("namespace", namespace);
        }
        out().println(ApiResource.objectNameOf(cluster.resources(resource).create(object)) + " created");
        out().flush();
    }
}
