package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.Cluster.Selectors;
import io.kubundle.cli.kube.ColumnAligner;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.ObjectFormat;
import io.kubundle.cli.kube.TableRows;
import io.kubundle.cli.kube.Target;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ListOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", description = {"Show resources, as kubectl get does.",
    "Examples: get pods; get deploy,svc -A; get pod/web -o yaml; get ns -w"})
final class GetCommand extends KubeCommand {
    @Parameters(paramLabel = "TYPE[,TYPE...] [NAME...] | TYPE/NAME...", arity = "0..*",
            description = "Resource types (plural, singular, kind or short name, optionally .group) and names.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "yaml, json, name or wide.")
    String output;

    @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR", description = "Label selector, such as app=web,tier!=db.")
    String labels;

    @Option(names = "--field-selector", paramLabel = "SELECTOR", description = "Field selector, such as status.phase=Running.")
    String fields;

    @Option(names = {"-A", "--all-namespaces"}, description = "List across all namespaces.")
    boolean allNamespaces;

    @Option(names = {"-w", "--watch"}, description = "After listing, print each change as it happens.")
    boolean watch;

    @Option(names = "--no-headers", description = "Print no header row.")
    boolean noHeaders;

    @Override
    int run() throws IOException, ApiStatusException, CommandException, InterruptedException {
        if (output != null && !List.of("yaml", "json", "name", "wide").contains(output)) {
            throw new CommandException("unable to match a printer suitable for the output format \"" + output
                    + "\", allowed formats are: json,name,wide,yaml");
        }
        if (args.isEmpty()) {
            throw new CommandException("you must specify the type of resource to get. Use \"kubundle explain <resource>\""
                    + " for a detailed description of that resource (e.g. kubundle explain pods).");
        }
        Cluster cluster = kube.cluster();
        List<Target> targets = Target.parse(args, cluster.catalog());
        if (watch) {
            return new TableWatch(this, cluster, targets, new Selectors(labels, fields)).run();
        }
        if (output != null && !output.equals("wide")) {
            printObjects(cluster, targets);
        } else {
            printTables(cluster, targets);
        }
        return 0;
    }

    String namespaceFor(ApiResource resource) {
        return !resource.namespaced() ? null : allNamespaces ? null : kube.namespace();
    }

    private void printTables(Cluster cluster, List<Target> targets) {
        Map<ApiResource, List<Target>> byType = new LinkedHashMap<>();
        targets.forEach(target -> byType.computeIfAbsent(target.resource(), r -> new ArrayList<>()).add(target));
        boolean withKind = byType.size() > 1;
        boolean printed = false;
        boolean anyClusterScoped = false;
        Selectors selectors = new Selectors(labels, fields);
        for (Map.Entry<ApiResource, List<Target>> type : byType.entrySet()) {
            ApiResource resource = type.getKey();
            anyClusterScoped |= !resource.namespaced();
            TableRows rows = new TableRows("wide".equals(output), allNamespaces && resource.namespaced(),
                    withKind ? resource.kindAndGroup() + "/" : "");
            List<List<String>> lines = new ArrayList<>();
            List<String> header = null;
            for (Target target : type.getValue()) {
                try {
                    JsonNode table = cluster.table(resource, namespaceFor(resource), target.name(), selectors);
                    if (header == null) {
                        header = rows.header(table);
                    }
                    lines.addAll(rows.rows(table));
                } catch (ApiStatusException | IOException e) {
                    report(e);
                }
            }
            if (lines.isEmpty()) {
                continue;
            }
            if (!noHeaders) {
                lines.add(0, header);
            }
            if (printed) {
                out().println();
            }
            new ColumnAligner().align(lines).forEach(out()::println);
            printed = true;
        }
        out().flush();
        if (!printed && !failed()) {
            spec.commandLine().getErr().println(allNamespaces || anyClusterScoped ? "No resources found"
                    : "No resources found in " + kube.namespace() + " namespace.");
        }
    }

    private void printObjects(Cluster cluster, List<Target> targets) {
        List<ObjectNode> objects = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Target target : targets) {
            ApiResource resource = target.resource();
            try {
                List<ObjectNode> found = target.name() != null
                        ? List.of(cluster.resources(resource).get(namespaceFor(resource), target.name()))
                        : cluster.resources(resource).list(namespaceFor(resource),
                                ListOptions.ALL.withLabels(labels).withFields(fields)).items();
                objects.addAll(found);
                found.forEach(object -> names.add(resource.objectName(object.path("metadata").path("name").asText())));
            } catch (ApiStatusException | IOException e) {
                report(e);
            }
        }
        if (output.equals("name")) {
            names.forEach(out()::println);
            out().flush();
            return;
        }
        boolean single = targets.size() == 1 && targets.get(0).name() != null;
        if (single && objects.isEmpty()) {
            return;
        }
        JsonNode result = single ? objects.get(0) : list(cluster, objects);
        ObjectFormat format = new ObjectFormat(cluster.client().json());
        out().print(output.equals("json") ? format.json(result) : format.yaml(result));
        out().flush();
    }

    private static ObjectNode list(Cluster cluster, List<ObjectNode> objects) {
        ObjectNode list = cluster.client().json().createObjectNode();
        list.put("apiVersion", "v1");
        ArrayNode items = list.putArray("items");
        objects.forEach(items::add);
        list.put("kind", "List");
        list.putObject("metadata").put("resourceVersion", "");
        return list;
    }
}
