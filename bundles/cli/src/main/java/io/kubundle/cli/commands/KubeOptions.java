package io.kubundle.cli.commands;

import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which cluster and namespace a kubectl-style command talks to. */
final class KubeOptions {
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The kubeconfig (default: $KUBECONFIG, else the kubeconfig in --data-dir).")
    Path kubeconfig;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ProcessOptions.DATA_DIR_DEFAULT,
            description = "Data directory of the 'kubundle up' or 'master' whose kubeconfig to use"
                    + " (default: $KUBUNDLE_DATA_DIR, else ~/.kubundle).")
    Path dataDir;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "The namespace (default: default).")
    String namespace;

    private Cluster cluster;

    /** The kubeconfig: the option, else the first file of $KUBECONFIG, else the data dir's. */
    Path kubeconfig() {
        if (kubeconfig != null) {
            return kubeconfig;
        }
        String variable = System.getenv("KUBECONFIG");
        if (variable != null && !variable.isBlank()) {
            for (String file : variable.split(File.pathSeparator)) {
                if (!file.isBlank() && Files.isRegularFile(Path.of(file))) {
                    return Path.of(file);
                }
            }
        }
        return dataDir.resolve("kubeconfig");
    }

    Cluster cluster() throws CommandException {
        if (cluster == null) {
            cluster = Cluster.connect(kubeconfig());
        }
        return cluster;
    }

    /** The namespace to work in. */
    String namespace() {
        return namespace == null || namespace.isEmpty() ? "default" : namespace;
    }

    boolean namespaceGiven() {
        return namespace != null && !namespace.isEmpty();
    }
}
