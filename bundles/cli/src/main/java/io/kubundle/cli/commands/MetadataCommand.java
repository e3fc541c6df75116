package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.MetadataChanges;
import io.kubundle.cli.kube.Target;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code label} and {@code annotate}: set and remove keys of one metadata map with a merge patch. */
abstract class MetadataCommand extends KubeCommand {
    @Parameters(paramLabel = "TYPE NAME | TYPE/NAME  KEY=VALUE... KEY-...", arity = "1..*",
            description = "What to change, then the changes: KEY=VALUE sets, KEY- removes.")
    List<String> args = new ArrayList<>();

    @Option(names = "--overwrite", description = "Allow changing a key that already has a value.")
    boolean overwrite;

    private final String field;
    private final String what;

    /**
     * @param field {@code labels} or {@code annotations}
     * @param what {@code label} or {@code annotation}, for messages
     */
    MetadataCommand(String field, String what) {
        this.field = field;
        this.what = what;
    }

    /** What to print after the object's name: {@code labeled}, {@code annotated}, ... */
    abstract String result(ObjectNode changes, boolean changed);

    @Override
    int run() throws IOException, ApiStatusException, CommandException {
        List<String> resourceArgs = new ArrayList<>();
        List<String> changeArgs = new ArrayList<>();
        for (String arg : args) {
            (MetadataChanges.isChange(arg) && !resourceArgs.isEmpty() ? changeArgs : resourceArgs).add(arg);
        }
        MetadataChanges changes = MetadataChanges.parse(what, changeArgs);
        Cluster cluster = kube.cluster();
        List<Target> targets = namedTargets(resourceArgs, cluster);
        for (Target target : targets) {
            ApiResource resource = target.resource();
            String namespace = resource.namespaced() ? kube.namespace() : null;
            ResourceClient<ObjectNode> client = cluster.resources(resource);
            try {
                ObjectNode live = client.get(namespace, target.name());
                ObjectNode mapPatch = changes.patch(live.path("metadata").path(field), overwrite);
                if (!mapPatch.isEmpty()) {
                    ObjectNode patch = cluster.client().json().createObjectNode();
                    patch.putObject("metadata").set(field, mapPatch);
                    client.patch(namespace, target.name(), PatchType.MERGE, patch);
                }
                out().println(target.objectName() + " " + result(mapPatch, !mapPatch.isEmpty()));
                out().flush();
            } catch (ApiStatusException | CommandException e) {
                report(e);
            }
        }
        return 0;
    }
}
