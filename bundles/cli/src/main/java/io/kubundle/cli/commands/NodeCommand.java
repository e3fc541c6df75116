package io.kubundle.cli.commands;

import io.kubundle.cli.kube.CommandException;
import io.kubundle.launcher.LaunchException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "node", description = {"Run the node role: join the master at --server and run its pods.",
        "The first time, --token (from 'kubundle token create') and --ca-file (the master's DATA_DIR/pki/ca.crt) let the node"
                + " ask for its certificates, as a kubelet's TLS bootstrap does; they are kept in DATA_DIR/pki."})
final class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ProcessOptions process;

    @Mixin
    NodeOptions node;

    @Option(names = "--server", paramLabel = "URL", description = "URL of the master's Kubernetes API.")
    URI server;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Credentials an admin made for this node, instead of joining with --server and --token.")
    Path kubeconfig;

    @Option(names = "--token", paramLabel = "ID.SECRET", description = "A bootstrap token, to join the first time.")
    String token;

    @Option(names = "--ca-file", paramLabel = "FILE", description = "The cluster's CA certificate, to trust the master the first time.")
    Path caFile;

    @Option(names = "--join-timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to wait for the node's certificates to be signed (default: ${DEFAULT-VALUE}).")
    int joinTimeout;

    @Override
    public Integer call() throws LaunchException, InterruptedException, CommandException, IOException {
        Map<String, String> properties = node.properties();
        if (kubeconfig != null) {
            if (server != null || token != null) {
                throw new ParameterException(spec.commandLine(), "--kubeconfig excludes --server and --token");
            }
            if (!Files.isReadable(kubeconfig)) {
                throw new ParameterException(spec.commandLine(), "--kubeconfig: cannot read " + kubeconfig);
            }
            useKubeconfig(properties, kubeconfig.toAbsolutePath());
            return process.run("node", properties);
        }
        if (server == null) {
            throw new ParameterException(spec.commandLine(),
                    "give --server URL (with --token and --ca-file the first time), or --kubeconfig FILE");
        }
        NodeBootstrap bootstrap = new NodeBootstrap(process.dataDir, message -> System.err.println("kubundle node: " + message));
        NodeBootstrap.Credentials credentials = bootstrap.credentials();
        boolean joined = Files.isRegularFile(credentials.kubeconfig());
        if (!joined && (token == null || caFile == null)) {
            throw new ParameterException(spec.commandLine(), "this node has no credentials in " + process.dataDir.resolve("pki")
                    + " yet: give --token and --ca-file to join");
        }
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new ParameterException(spec.commandLine(), "--ca-file: cannot read " + caFile);
        }
        String name = properties.getOrDefault("kubundle.kubelet.node-name", java.net.InetAddress.getLocalHost().getHostName());
        credentials = bootstrap.join(server, token == null ? "" : token, caFile, name, Duration.ofSeconds(joinTimeout));
        useKubeconfig(properties, credentials.kubeconfig());
        properties.put("kubundle.kubelet.tls-cert-file", credentials.servingCertificate().toString());
        properties.put("kubundle.kubelet.tls-private-key-file", credentials.servingKey().toString());
        properties.put("kubundle.kubelet.client-ca-file", credentials.clientCa().toString());
        return process.run("node", properties);
    }

    private static void useKubeconfig(Map<String, String> properties, Path file) {
        // the cluster client reads it as a framework property, and as a system property outside OSGi
        System.setProperty("kubundle.kubeconfig", file.toString());
        properties.put("kubundle.kubeconfig", file.toString());
    }
}
