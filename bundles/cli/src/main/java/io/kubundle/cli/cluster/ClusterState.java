package io.kubundle.cli.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a cluster is made of on this machine, kept in {@code CLUSTERS_DIR/NAME.json} from before
 * the first thing is made until the last is removed, so that {@code delete} (or a {@code create}
 * after a crash) finds everything to clean up.
 *
 * @param subnet the third octet of the nodes' network, {@code 172.29.SUBNET.0/24}
 */
public record ClusterState(String name, String dataDir, int subnet, String bridge, List<Node> nodes) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public ClusterState {
        nodes = List.copyOf(nodes);
    }

    /**
     * One node: its process runs in network namespace {@code netns}, reached through the host's
     * end {@code hostLink} of a veth pair on the cluster's bridge.
     *
     * @param pid the node process, or 0 when stopped
     * @param args the {@code kubundle} arguments it runs with, to start it again
     */
    public record Node(String name, boolean controlPlane, String netns, String ip, String hostLink, String cgroupParent,
            String dataDir, long pid, List<String> args) {
        public Node {
            args = List.copyOf(args);
        }

        Node withPid(long newPid) {
            return new Node(name, controlPlane, netns, ip, hostLink, cgroupParent, dataDir, newPid, args);
        }
    }

    String gateway() {
        return "172.29." + subnet + ".1";
    }

    String cidr() {
        return "172.29." + subnet + ".0/24";
    }

    /** The addresses LoadBalancer Services get, one /24 per cluster like its nodes' network. */
    String loadBalancerPool() {
        return "172.30." + subnet + ".0/24";
    }

    Node controlPlane() {
        return nodes.stream().filter(Node::controlPlane).findFirst().orElseThrow();
    }

    Optional<Node> node(String nodeName) {
        return nodes.stream().filter(n -> n.name().equals(nodeName)).findFirst();
    }

    ClusterState with(Node changed) {
        List<Node> updated = new ArrayList<>();
        for (Node node : nodes) {
            updated.add(node.name().equals(changed.name()) ? changed : node);
        }
        return new ClusterState(name, dataDir, subnet, bridge, updated);
    }

    static Path file(Path clustersDir, String name) {
        return clustersDir.resolve(name + ".json");
    }

    static Optional<ClusterState> read(Path clustersDir, String name) throws IOException {
        Path file = file(clustersDir, name);
        return Files.isRegularFile(file) ? Optional.of(JSON.readValue(file.toFile(), ClusterState.class)) : Optional.empty();
    }

    static List<ClusterState> all(Path clustersDir) throws IOException {
        if (!Files.isDirectory(clustersDir)) {
            return List.of();
        }
        List<ClusterState> clusters = new ArrayList<>();
        try (Stream<Path> files = Files.list(clustersDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                clusters.add(JSON.readValue(file.toFile(), ClusterState.class));
            }
        }
        return clusters;
    }

    void write(Path clustersDir) throws IOException {
        Files.createDirectories(clustersDir);
        Path file = file(clustersDir, name);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(temporary.toFile(), this);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void remove(Path clustersDir, String name) throws IOException {
        Files.deleteIfExists(file(clustersDir, name));
    }
}
