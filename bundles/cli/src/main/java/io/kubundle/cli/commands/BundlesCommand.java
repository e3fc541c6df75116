package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubundle.client.admin.AdminClient;
import io.kubundle.client.admin.AdminException;
import java.io.PrintWriter;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kubundle bundles}: the plugin bundles of a running process, through its admin endpoint. */
@Command(name = "bundles", description = "List, install, update, uninstall and swap the bundles of a running process.",
        subcommands = {BundlesCommand.ListCommand.class, BundlesCommand.InstallCommand.class,
                BundlesCommand.UpdateCommand.class, BundlesCommand.UninstallCommand.class,
                BundlesCommand.SwapCommand.class})
final class BundlesCommand {
    private static final String[] HEADINGS = {"ID", "STATE", "VERSION", "SYMBOLIC NAME", "SERVICES"};

    private BundlesCommand() {
    }

    enum Output { TABLE, JSON }

    @Command(name = "list", description = {"List the bundles with their state and services, then any problems.",
            "Exits with 1 when the process is degraded."})
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminOptions admin;

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                description = "table, or json for the endpoint's answer as it is (default: ${DEFAULT-VALUE}).")
        Output output;

        @Override
        public Integer call() throws AdminException {
            AdminClient client = admin.client();
            JsonNode list = client.list();
            JsonNode health = client.health();
            PrintWriter out = spec.commandLine().getOut();
            boolean ok = "ok".equals(health.path("status").asText());
            if (output == Output.JSON) {
                out.println(list.toPrettyString());
            } else {
                printTable(out, list.path("bundles"));
                if (!ok) {
                    printProblems(out, health);
                }
            }
            return ok ? 0 : 1;
        }
    }

    @Command(name = "install", description = "Install a bundle jar and start it.")
    static final class InstallCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "FILE", description = "The bundle jar.")
        Path file;

        @Override
        public Integer call() throws AdminException {
            JsonNode bundle = admin.client().install(file);
            spec.commandLine().getOut().println("installed " + nameAndVersion(bundle) + " (bundle "
                    + text(bundle, "id") + ", " + text(bundle, "state") + ")");
            return 0;
        }
    }

    @Command(name = "update", description = "Replace an installed bundle with a new jar of it.")
    static final class UpdateCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "NAME", description = "Symbolic name of the installed bundle.")
        String name;

        @Parameters(index = "1", paramLabel = "FILE", description = "The new bundle jar.")
        Path file;

        @Override
        public Integer call() throws AdminException {
            JsonNode bundle = admin.client().update(name, file);
            spec.commandLine().getOut().println("updated " + nameAndVersion(bundle) + " (bundle "
                    + text(bundle, "id") + ", " + text(bundle, "state") + ")");
            return 0;
        }
    }

    @Command(name = "uninstall", description = "Stop and uninstall a bundle.")
    static final class UninstallCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "NAME", description = "Symbolic name of the installed bundle.")
        String name;

        @Override
        public Integer call() throws AdminException {
            JsonNode reply = admin.client().uninstall(name);
            spec.commandLine().getOut().println("uninstalled " + nameAndVersion(reply.path("uninstalled")));
            return 0;
        }
    }

    @Command(name = "swap", description = {"Replace a bundle with another that provides the same services,",
            "and report how long they had no provider."})
    static final class SwapCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "OLD", description = "Symbolic name of the installed bundle.")
        String oldName;

        @Parameters(index = "1", paramLabel = "NEW", description = "The jar of the bundle that replaces it.")
        Path newJar;

        @Override
        public Integer call() throws AdminException {
            JsonNode reply = admin.client().swap(oldName, newJar);
            // rounded to microseconds: the endpoint measures in nanoseconds
            String gap = reply.path("gapMillis").decimalValue().setScale(3, RoundingMode.HALF_UP)
                    .stripTrailingZeros().toPlainString();
            spec.commandLine().getOut().println("swapped " + nameAndVersion(reply.path("removed")) + " for "
                    + nameAndVersion(reply.path("installed")) + ": without a provider for " + gap + " ms");
            return 0;
        }
    }

    private static void printTable(PrintWriter out, JsonNode bundles) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADINGS);
        for (JsonNode bundle : bundles) {
            rows.add(new String[] {text(bundle, "id"), text(bundle, "state"), text(bundle, "version"),
                    text(bundle, "symbolicName"), services(bundle.path("services"))});
        }
        Table.print(out, rows);
    }

    // "Greeter[hello], Runnable": short interface names, with the service's name property if any
    private static String services(JsonNode services) {
        List<String> names = new ArrayList<>();
        for (JsonNode service : services) {
            JsonNode name = service.path("name");
            String suffix = name.isTextual() ? "[" + name.asText() + "]" : "";
            for (JsonNode objectClass : service.path("objectClass")) {
                String type = objectClass.asText();
                names.add(type.substring(type.lastIndexOf('.') + 1) + suffix);
            }
        }
        return String.join(", ", names);
    }

    private static void printProblems(PrintWriter out, JsonNode health) {
        out.println();
        out.println("Problems:");
        JsonNode problems = health.path("problems");
        if (problems.isEmpty()) {
            out.println("  the process reports " + text(health, "status") + " without details");
        }
        for (JsonNode problem : problems) {
            String component = problem.path("component").isTextual() ? " " + problem.get("component").asText() : "";
            String reason = problem.path("reason").isTextual() ? ": " + problem.get("reason").asText() : "";
            out.println("  " + text(problem, "bundle") + component + ": " + text(problem, "state") + reason);
        }
    }

    private static String nameAndVersion(JsonNode bundle) {
        return text(bundle, "symbolicName") + " " + text(bundle, "version");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.isNull() ? value.asText() : "?";
    }
}
