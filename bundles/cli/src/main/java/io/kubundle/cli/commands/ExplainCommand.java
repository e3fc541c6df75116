package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.Explainer;
import io.kubundle.client.kube.ApiStatusException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "explain", description = {"Describe a resource type or one of its fields, from the server's OpenAPI schemas.",
    "Example: explain deployment.spec.template"})
final class ExplainCommand extends KubeCommand {
    @Parameters(paramLabel = "TYPE[.FIELD...]", description = "The type, and the path of a field under it.")
    String path;

    @Option(names = "--api-version", paramLabel = "GROUP/VERSION", description = "The version of the type to explain.")
    String apiVersion;

    @Override
    int run() throws IOException, ApiStatusException, CommandException {
        Cluster cluster = kube.cluster();
        List<String> parts = Arrays.asList(path.split("\\."));
        ApiResource resource = cluster.catalog().resolve(parts.get(0));
        if (apiVersion != null) {
            resource = cluster.catalog().forKind(apiVersion, resource.kind());
        }
        String documentPath = resource.group().isEmpty() ? "api/" + resource.version() : "apis/" + resource.apiVersion();
        JsonNode document = cluster.openApi(documentPath);
        if (document == null) {
            throw new CommandException("the server serves no OpenAPI v3 schema for " + resource.apiVersion());
        }
        out().print(new Explainer(document).explain(resource, parts.subList(1, parts.size())));
        out().flush();
        return 0;
    }
}
