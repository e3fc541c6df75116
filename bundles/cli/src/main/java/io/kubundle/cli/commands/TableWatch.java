package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.Cluster.Selectors;
import io.kubundle.cli.kube.ColumnAligner;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.TableRows;
import io.kubundle.cli.kube.Target;
import io.kubundle.client.kube.ApiStatusException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code get -w}: the table as it is, then a row for each change from the list's revision on,
 * lined up with the rows before, until the server ends the watch or the user stops it.
 */
final class TableWatch {
    private final GetCommand command;
    private final Cluster cluster;
    private final ApiResource resource;
    private final Selectors selectors;
    private final ColumnAligner aligner = new ColumnAligner();
    private final TableRows rows;
    private boolean headerPrinted;

    TableWatch(GetCommand command, Cluster cluster, List<Target> targets, Selectors selectors) throws CommandException {
        this.command = command;
        this.cluster = cluster;
        this.resource = targets.get(0).resource();
        for (Target target : targets) {
            if (!target.resource().equals(resource)) {
                throw new CommandException("you may only specify a single resource type");
            }
        }
        if (targets.size() > 1) {
            throw new CommandException("watch is only supported on individual resources and resource collections, but "
                    + targets.size() + " resources were found");
        }
        String name = targets.get(0).name();
        this.selectors = name == null ? selectors
                : new Selectors(selectors.labels(), "metadata.name=" + name
                        + (selectors.fields() == null ? "" : "," + selectors.fields()));
        this.rows = new TableRows("wide".equals(command.output), command.allNamespaces && resource.namespaced(), "");
    }

    int run() throws IOException, ApiStatusException, InterruptedException {
        String namespace = command.namespaceFor(resource);
        JsonNode table = cluster.table(resource, namespace, null, selectors);
        print(table);
        CompletableFuture<Exception> ended = new CompletableFuture<>();
        try (ApiStream stream = cluster.watchTable(resource, namespace, selectors,
                table.path("metadata").path("resourceVersion").asText("0"), this::onEvent,
                failure -> ended.complete(failure))) {
            Exception failure = ended.get();
            if (failure != null) {
                command.report(failure);
            }
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        return 0;
    }

    private synchronized void onEvent(JsonNode event) {
        String type = event.path("type").asText();
        if (type.equals("ERROR")) {
            command.reportLine("Error from server (" + event.path("object").path("reason").asText("Unknown") + "): "
                    + event.path("object").path("message").asText(""));
        } else if (!type.equals("BOOKMARK")) {
            print(event.path("object"));
        }
    }

    private synchronized void print(JsonNode table) {
        List<List<String>> lines = new ArrayList<>();
        List<String> header = rows.header(table);
        lines.addAll(rows.rows(table));
        if (lines.isEmpty()) {
            return;
        }
        if (!headerPrinted && !command.noHeaders) {
            lines.add(0, header);
        }
        headerPrinted = true;
        aligner.align(lines).forEach(command.out()::println);
        command.out().flush();
    }
}
