package io.kubundle.cli.commands;

import io.kubundle.cli.kube.ApiErrors;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.Manifests.Manifest;
import io.kubundle.cli.kube.Target;
import io.kubundle.client.kube.ApiStatusException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A kubectl-style command: errors are printed as kubectl prints them ({@code Error from server
 * (NotFound): ...}, {@code error: ...}) and exit with 1.
 */
abstract class KubeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KubeOptions kube;

    /** Whether an error was reported along the way; the exit code is then 1. */
    private boolean failed;

    @Override
    public final Integer call() {
        try {
            int code = run();
            return failed ? 1 : code;
        } catch (ApiStatusException | CommandException | IOException e) {
            report(e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    abstract int run() throws IOException, ApiStatusException, CommandException, InterruptedException;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints the error as kubectl would, goes on, and makes the exit code 1. */
    void report(Exception e) {
        failed = true;
        PrintWriter err = spec.commandLine().getErr();
        if (e instanceof ApiStatusException status) {
            err.println(ApiErrors.message(status));
        } else if (e instanceof ConnectException) {
            err.println("error: the connection to the server was refused (" + kube.kubeconfig()
                    + "): is 'kubundle up' running?");
        } else {
            String message = e.getMessage();
            err.println("error: " + (message == null || message.isBlank() ? e.toString() : message));
        }
        err.flush();
    }

    /** The objects the arguments name; each must have a name. */
    static List<Target> namedTargets(List<String> args, Cluster cluster)
            throws IOException, ApiStatusException, CommandException {
        List<Target> targets = Target.parse(args, cluster.catalog());
        for (Target target : targets) {
            if (target.name() == null) {
                throw new CommandException("resource(s) were provided, but no name was specified");
            }
        }
        return targets;
    }

    /** Runs {@code action} on each object of the -f files, reporting each failure and going on. */
    void forEachManifest(FileOptions files, String verb, ManifestAction action)
            throws IOException, ApiStatusException, CommandException {
        if (!files.given()) {
            throw new CommandException("must specify one of -f and -k");
        }
        Cluster cluster = kube.cluster();
        for (Manifest manifest : files.read(cluster)) {
            try {
                action.run(cluster, manifest);
            } catch (ApiStatusException e) {
                reportLine(ApiErrors.message(e, "error when " + verb + " \"" + manifest.source() + "\""));
            } catch (CommandException | IOException e) {
                report(e);
            }
        }
    }

    /** What a command does with one object of its files. */
    @FunctionalInterface
    interface ManifestAction {
        void run(Cluster cluster, Manifest manifest) throws IOException, ApiStatusException, CommandException;
    }

    boolean failed() {
        return failed;
    }

    /** Prints a line of an error that is already in kubectl's words, and makes the exit code 1. */
    void reportLine(String line) {
        failed = true;
        spec.commandLine().getErr().println(line);
        spec.commandLine().getErr().flush();
    }
}
