package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.Describer;
import io.kubundle.cli.kube.Target;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ListOptions;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "describe", description = "Show the details of resources and their events.")
final class DescribeCommand extends KubeCommand {
    @Parameters(paramLabel = "TYPE [NAME...] | TYPE/NAME...", arity = "1..*", description = "What to describe.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Describe the objects with these labels.")
    String labels;

    @Override
    int run() throws IOException, ApiStatusException, CommandException {
        Cluster cluster = kube.cluster();
        Describer describer = new Describer(Instant.now(), ZoneId.systemDefault());
        boolean first = true;
        for (Target target : Target.parse(args, cluster.catalog())) {
            ApiResource resource = target.resource();
            String namespace = resource.namespaced() ? kube.namespace() : null;
            List<ObjectNode> objects = new ArrayList<>();
            try {
                if (target.name() != null) {
                    objects.add(cluster.resources(resource).get(namespace, target.name()));
                } else {
                    objects.addAll(cluster.resources(resource).list(namespace, ListOptions.labels(labels)).items());
                }
            } catch (ApiStatusException e) {
                report(e);
            }
            for (ObjectNode object : objects) {
                if (!first) {
                    out().println();
                    out().println();
                }
                first = false;
                out().print(describer.describe(object, events(cluster, object)));
                out().flush();
            }
        }
        return 0;
    }

    // the core events whose involvedObject is this object; none when events cannot be read
    private static List<JsonNode> events(Cluster cluster, JsonNode object) {
        JsonNode metadata = object.path("metadata");
        String namespace = metadata.path("namespace").asText("");
        List<JsonNode> events = new ArrayList<>();
        try {
            ApiResource resource = cluster.catalog().forKind("v1", "Event");
            for (ObjectNode event : cluster.resources(resource).list(namespace.isEmpty() ? "default" : namespace, ListOptions.ALL)
                    .items()) {
                JsonNode involved = event.path("involvedObject");
                String uid = involved.path("uid").asText("");
                boolean same = uid.isEmpty() ? involved.path("name").asText().equals(metadata.path("name").asText())
                        && involved.path("kind").asText().equals(object.path("kind").asText())
                        : uid.equals(metadata.path("uid").asText());
                if (same) {
                    events.add(event);
                }
            }
        } catch (IOException | ApiStatusException | CommandException e) {
            // describe without events rather than not at all
        }
        return events;
    }
}
