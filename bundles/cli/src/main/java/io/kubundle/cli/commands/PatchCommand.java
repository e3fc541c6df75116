package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.Manifests;
import io.kubundle.cli.kube.Target;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "patch", description = {"Change fields of resources with a patch.",
    "Example: patch deploy web -p '{\"spec\":{\"replicas\":3}}' --type merge"})
final class PatchCommand extends KubeCommand {
    @Parameters(paramLabel = "TYPE NAME | TYPE/NAME", arity = "1..*", description = "What to patch.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-p", "--patch"}, paramLabel = "PATCH", required = true, description = "The patch, in JSON or YAML.")
    String patch;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "strategic",
            description = "strategic (default), merge or json.")
    String type;

    @Override
    int run() throws IOException, ApiStatusException, CommandException {
        PatchType patchType = switch (type.toLowerCase(Locale.ROOT)) {
            case "strategic" -> PatchType.STRATEGIC;
            case "merge" -> PatchType.MERGE;
            case "json" -> PatchType.JSON;
            default -> throw new CommandException("--type must be one of [json merge strategic], not \"" + type + "\"");
        };
        Cluster cluster = kube.cluster();
        JsonNode body = new Manifests(cluster.client().json()).value(patch);
        if (patchType == PatchType.JSON ? !body.isArray() : !body.isObject()) {
            throw new CommandException("unable to parse \"" + patch + "\": a " + type + " patch must be a JSON "
                    + (patchType == PatchType.JSON ? "list of operations" : "object"));
        }
        List<Target> targets = namedTargets(args, cluster);
        for (Target target : targets) {
            ApiResource resource = target.resource();
            String namespace = resource.namespaced() ? kube.namespace() : null;
            ResourceClient<ObjectNode> client = cluster.resources(resource);
            try {
                ObjectNode before = client.get(namespace, target.name());
                ObjectNode after = client.patch(namespace, target.name(), patchType, body.toString());
                out().println(target.objectName() + (unversioned(before).equals(unversioned(after)) ? " patched (no change)"
                        : " patched"));
                out().flush();
            } catch (ApiStatusException e) {
                report(e);
            }
        }
        return 0;
    }

    private static JsonNode unversioned(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        if (copy.path("metadata") instanceof ObjectNode metadata) {
            metadata.remove(List.of("resourceVersion", "managedFields"));
        }
        return copy;
    }
}
