package io.kubundle.cli.commands;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * A command of a later version: listed and documented now so that the command set stays stable,
 * it says it is not available and exits with 3.
 */
public final class NotAvailableCommand implements Callable<Integer> {
    private static final int NOT_AVAILABLE = 3;

    @Spec
    CommandSpec spec;

    // whatever a later version will take, accepted now so that the answer is always the same
    @Unmatched
    List<String> arguments;

    /** Adds the commands of later versions to the root command. */
    public static void addTo(CommandLine root) {
        add(root, "logs", "Print the logs of a container in a pod.");
        add(root, "scale", "Set the number of replicas of a workload.");
        add(root, "rollout", "Follow, pause, resume or undo the rollout of a workload.");
        add(root, "taint", "Add or remove the taints of nodes.");
    }

    private static CommandLine add(CommandLine parent, String name, String description) {
        CommandSpec spec = CommandSpec.forAnnotatedObject(new NotAvailableCommand());
        spec.name(name).usageMessage().description(description);
        CommandLine command = new CommandLine(spec);
        parent.addSubcommand(name, command);
        return command;
    }

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(spec.qualifiedName() + ": not available in this version yet");
        return NOT_AVAILABLE;
    }
}
