package io.kubundle.cli.commands;

import io.kubundle.cli.cluster.ClusterState;
import io.kubundle.cli.cluster.Clusters;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.launcher.Launcher;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kubundle cluster ...}: real multi-node clusters on this machine, as kind makes them. */
@Command(name = "cluster", description = "Real multi-node clusters on this machine: each node a process in its own network namespace.",
        subcommands = {ClusterCommand.Create.class, ClusterCommand.Delete.class, ClusterCommand.ListClusters.class,
                ClusterCommand.StopNode.class, ClusterCommand.StartNode.class, ClusterCommand.LoadImage.class})
final class ClusterCommand {
    private static final String CLUSTERS_DIR_DEFAULT = "${env:KUBUNDLE_DATA_DIR:-${sys:user.home}/.kubundle}/clusters";

    /** Where clusters are registered and which one a subcommand works on. */
    static final class Registry {
        @Option(names = "--clusters-dir", paramLabel = "DIR", defaultValue = CLUSTERS_DIR_DEFAULT,
                description = "Where clusters are registered (default: $KUBUNDLE_DATA_DIR/clusters, else ~/.kubundle/clusters).")
        Path clustersDir;

        @Option(names = "--name", defaultValue = "kubundle", description = "The cluster's name (default: ${DEFAULT-VALUE}).")
        String name;

        Clusters clusters() throws CommandException {
            String home = System.getProperty(Launcher.HOME);
            if (home == null || home.isBlank()) {
                throw new CommandException(Launcher.HOME + " is not set: run through bin/kubundle");
            }
            return new Clusters(Path.of(home), clustersDir, ClusterCommand::workersToken, message -> System.err.println(message));
        }
    }

    /** A token for an hour, for the workers of {@code create}. */
    private static String workersToken(KubeClient client) throws IOException, CommandException {
        String token = TokenCommand.newToken();
        try {
            client.resources(TokenCommand.SECRETS).create(TokenCommand.secret(token, Duration.ofHours(1),
                    "joins the nodes of kubundle cluster create", List.of(TokenCommand.DEFAULT_GROUP), Instant.now()));
        } catch (ApiStatusException e) {
            throw new CommandException("cannot create the nodes' bootstrap token: " + e.getMessage(), e);
        }
        return token;
    }

    @Command(name = "create", description = "Create a cluster: a tainted control-plane node and --nodes worker nodes; writes DATA_DIR/kubeconfig.")
    static final class Create implements Callable<Integer> {
        @Mixin
        Registry registry;


        @Option(names = "--nodes", defaultValue = "2", paramLabel = "N", description = "Worker nodes (default: ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--data-dir", paramLabel = "DIR", description = "The cluster's directory (default: CLUSTERS_DIR/NAME).")
        Path dataDir;

        @Option(names = "--image", paramLabel = "FILE", description = "An image tarball to preload into every node (repeatable).")
        List<Path> images = new ArrayList<>();

        @Option(names = "--wait", defaultValue = "180", paramLabel = "SECONDS",
                description = "How long to wait for every node to be Ready (default: ${DEFAULT-VALUE}).")
        int waitSeconds;

        @Override
        public Integer call() throws CommandException, IOException, InterruptedException {
            if (nodes < 0 || nodes > 20) {
                throw new CommandException("--nodes: 0 to 20 worker nodes");
            }
            Path dir = dataDir != null ? dataDir : registry.clustersDir.resolve(registry.name);
            registry.clusters().create(registry.name, dir, nodes, images, Duration.ofSeconds(waitSeconds));
            System.out.println(dir.toAbsolutePath().normalize().resolve("kubeconfig"));
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a cluster and everything it made on this machine.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        Registry registry;


        @Override
        public Integer call() throws CommandException, IOException, InterruptedException {
            if (!registry.clusters().delete(registry.name)) {
                System.err.println("no cluster " + registry.name);
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List the clusters on this machine and their nodes.")
    static final class ListClusters implements Callable<Integer> {
        @Mixin
        Registry registry;

        @Override
        public Integer call() throws CommandException, IOException {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"NAME", "NODES", "DATA-DIR"});
            for (ClusterState state : registry.clusters().list()) {
                List<String> nodes = new ArrayList<>();
                Clusters.nodeStates(state).forEach((node, running) -> nodes.add(node + "(" + running + ")"));
                rows.add(new String[] {state.name(), String.join(",", nodes), state.dataDir()});
            }
            PrintWriter out = new PrintWriter(System.out, true);
            Table.print(out, rows);
            out.flush();
            return 0;
        }
    }

    @Command(name = "stop-node", description = "Stop a node as a machine stops: its process and containers die, its network goes down.")
    static final class StopNode implements Callable<Integer> {
        @Mixin
        Registry registry;


        @Option(names = "--node", required = true, description = "The node's name.")
        String node;

        @Override
        public Integer call() throws CommandException, IOException, InterruptedException {
            registry.clusters().stopNode(registry.name, node);
            return 0;
        }
    }

    @Command(name = "start-node", description = "Start a stopped node again.")
    static final class StartNode implements Callable<Integer> {
        @Mixin
        Registry registry;


        @Option(names = "--node", required = true, description = "The node's name.")
        String node;

        @Override
        public Integer call() throws CommandException, IOException {
            registry.clusters().startNode(registry.name, node);
            return 0;
        }
    }

    @Command(name = "load-image", description = "Import an image tarball into every node of a cluster, as kind load does.")
    static final class LoadImage implements Callable<Integer> {
        @Mixin
        Registry registry;


        @picocli.CommandLine.Parameters(paramLabel = "FILE", arity = "1..*", description = "docker-archive or oci-archive tarballs.")
        List<Path> images;

        @Override
        public Integer call() throws CommandException, IOException {
            Clusters clusters = registry.clusters();
            for (Path image : images) {
                clusters.loadImage(registry.name, image);
            }
            return 0;
        }
    }
}
