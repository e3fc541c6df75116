package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.ApiErrors;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.Manifests.Manifest;
import io.kubundle.cli.kube.Target;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.ListOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "delete", description = {"Delete resources by file, by type and name, or by label selector.",
    "Returns once the server accepted each deletion; it does not wait for the objects to be gone."})
final class DeleteCommand extends KubeCommand {
    @Mixin
    FileOptions files;

    @Parameters(paramLabel = "TYPE [NAME...] | TYPE/NAME...", arity = "0..*", description = "What to delete.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Delete the objects with these labels.")
    String labels;

    @Option(names = "--all", description = "Delete every object of the types in the namespace.")
    boolean all;

    @Option(names = "--grace-period", paramLabel = "SECONDS", defaultValue = "-1",
            description = "Seconds pods get to stop; -1 (the default) for their own setting, 0 at once.")
    long gracePeriod;

    @Option(names = "--cascade", paramLabel = "POLICY", defaultValue = "background",
            description = "What happens to dependents: background (default), foreground or orphan.")
    String cascade;

    @Option(names = "--ignore-not-found", description = "Treat objects that are not there as deleted.")
    boolean ignoreNotFound;

    @Override
    int run() throws IOException, ApiStatusException, CommandException {
        DeleteOptions options = new DeleteOptions(gracePeriod >= 0 ? gracePeriod : null, propagation(), null);
        Cluster cluster = kube.cluster();
        if (files.given()) {
            if (!args.isEmpty()) {
                throw new CommandException("there is no need to specify a resource type as a separate argument when passing"
                        + " arguments via -f");
            }
            for (Manifest manifest : files.read(cluster)) {
                try {
                    ApiResource resource = FileOptions.resourceOf(cluster, manifest);
                    delete(cluster, resource, FileOptions.namespaceOf(manifest, resource, kube), FileOptions.nameOf(manifest),
                            options, "error when deleting \"" + manifest.source() + "\"");
                } catch (CommandException | IOException e) {
                    report(e);
                }
            }
            return 0;
        }
        if (args.isEmpty()) {
            throw new CommandException("You must provide one or more resources by argument or filename.");
        }
        boolean deleted = false;
        for (Target target : Target.parse(args, cluster.catalog())) {
            ApiResource resource = target.resource();
            String namespace = resource.namespaced() ? kube.namespace() : null;
            if (target.name() != null) {
                deleted |= delete(cluster, resource, namespace, target.name(), options, null);
                continue;
            }
            if (labels == null && !all) {
                throw new CommandException("resource(s) were provided, but no name was specified");
            }
            for (ObjectNode object : cluster.resources(resource).list(namespace, ListOptions.labels(labels)).items()) {
                deleted |= delete(cluster, resource, namespace, object.path("metadata").path("name").asText(), options, null);
            }
        }
        if (!deleted && !failed()) {
            spec.commandLine().getErr().println("No resources found");
        }
        return 0;
    }

    private String propagation() throws CommandException {
        return switch (cascade.toLowerCase(Locale.ROOT)) {
            case "background", "true" -> "Background";
            case "foreground" -> "Foreground";
            case "orphan", "false" -> "Orphan";
            default -> throw new CommandException("invalid cascade value (" + cascade
                    + "). Must be \"background\", \"foreground\", or \"orphan\"");
        };
    }

    private boolean delete(Cluster cluster, ApiResource resource, String namespace, String name, DeleteOptions options,
            String context) {
        try {
            if (cluster.resources(resource).delete(namespace, name, options)) {
                out().println(resource.kindAndGroup() + " \"" + name + "\" deleted");
                out().flush();
                return true;
            }
            if (!ignoreNotFound) {
                reportLine("Error from server (NotFound): " + (context == null ? "" : context + ": ") + resource.pluralAndGroup()
                        + " \"" + name + "\" not found");
            }
        } catch (ApiStatusException e) {
            reportLine(ApiErrors.message(e, context));
        } catch (IOException e) {
            report(e);
        }
        return false;
    }
}
