package io.kubundle.itests.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code kubundle up} with its real node (kubelet, runc, the bridge network) on this machine, set
 * up so that nothing collides with a Kubundle the machine runs already and nothing is left behind:
 * a bridge, a pod network and a cgroup parent of the test's own, all removed at {@link #close()}
 * with any container, mount and network namespace the node made.
 */
final class RealNode implements AutoCloseable {
    static final String IMAGE = "localhost/kubundle-test/busybox:1.0";

    final Distribution distribution;
    final Path data;
    final Kubectl kubectl;
    final String bridge;
    final String cgroupParent;
    final String nodeName;
    final String podCidrPrefix;
    KubundleProcess process;
    private final List<String> args;

    /** @param extraUpArgs more arguments for {@code up} ({@code --container-runtime native}, say) */
    RealNode(Path dir, String... extraUpArgs) throws Exception {
        String suffix = HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        int octet = 200 + ThreadLocalRandom.current().nextInt(50);
        distribution = Distribution.copyInto(dir);
        data = dir.resolve("data");
        bridge = "kbit" + suffix;
        cgroupParent = "kubundle-it" + suffix;
        nodeName = "it-node-" + suffix;
        podCidrPrefix = "10." + octet + ".0.";
        Path etc = distribution.home.resolve("etc");
        Files.writeString(etc.resolve("io.kubundle.net.bridge.cfg"), "bridge = " + bridge + "\n");
        Files.writeString(etc.resolve("io.kubundle.controller.nodeipam.cfg"), "clusterCidr = 10." + octet + ".0.0/16\n");
        Files.writeString(etc.resolve("io.kubundle.kubelet.cfg"), "cgroupParent = " + cgroupParent + "\nclusterCidr = 10." + octet
                + ".0.0/16\nresyncSeconds = 2\nheartbeatSeconds = 2\n");
        List<String> upArgs = new ArrayList<>(List.of("--port", Integer.toString(RolesIT.freePort()), "--kubelet-port", "0",
                "--node-name", nodeName, "--node-ip", "127.0.0.1"));
        upArgs.addAll(List.of(extraUpArgs));
        args = List.copyOf(upArgs);
        start();
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
        Path image = BusyboxImage.dockerArchive(Files.createDirectories(dir.resolve("image")), IMAGE);
        Distribution.Result imported = distribution.kubundle("image", "import", image.toString(), "--data-dir", data.toString());
        if (imported.exitCode() != 0) {
            throw new AssertionError("image import failed: " + imported.err() + imported.out());
        }
        Await.until(() -> kubectl.must("get", "node", nodeName, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
                .equals("True"), () -> kubectl.must("describe", "node", nodeName), 60);
    }

    void start() throws Exception {
        process = KubundleProcess.start(distribution, data, "up", args.toArray(String[]::new));
    }

    /** Applies a manifest written to a file of the test's. */
    String apply(Path dir, String name, String yaml) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return kubectl.ok("apply", "-f", file.toString());
    }

    String jsonpath(String resource, String path) {
        return kubectl.must("get", resource, "-o", "jsonpath=" + path);
    }

    @Override
    public void close() throws Exception {
        List<String> problems = new ArrayList<>();
        if (process != null) {
            try {
                // pods first, so the kubelet tears down what it made as it would in use
                kubectl.run("delete", "pods", "--all", "-A", "--wait=true", "--timeout=60s");
            } finally {
                process.close();
            }
        }
        Path runcRoot = data.resolve("runtime/runc/runc");
        if (Files.isDirectory(runcRoot)) {
            for (String line : Distribution.run(List.of("runc", "--root", runcRoot.toString(), "list", "-q")).out().split("\n")) {
                if (!line.isBlank()) {
                    problems.add("container " + line + " was left running");
                    Distribution.run(List.of("runc", "--root", runcRoot.toString(), "delete", "-f", line.strip()));
                }
            }
        }
        Distribution.run(List.of("pkill", "-f", data.toString()));
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts")).stream().map(l -> l.split(" ")[1])
                .filter(m -> m.startsWith(data.toString())).sorted(java.util.Comparator.reverseOrder()).toList();
        for (String mount : mounts) {
            Distribution.run(List.of("umount", "-l", mount));
        }
        for (String netns : Distribution.run(List.of("ip", "netns", "list")).out().split("\n")) {
            String name = netns.split(" ")[0];
            if (name.startsWith("kubundle-") && !name.isBlank() && Files.exists(data.resolve("kubelet/pods").resolve(
                    name.substring("kubundle-".length())))) {
                problems.add("network namespace " + name + " was left");
                Distribution.run(List.of("ip", "netns", "delete", name));
            }
        }
        Distribution.run(List.of("ip", "link", "delete", bridge));
        for (String table : List.of("nat", "filter")) {
            for (String chain : List.of("KUBUNDLE-NAT-" + bridge, "KUBUNDLE-FWD-" + bridge)) {
                removeChain(table, chain);
            }
        }
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.resolve(cgroupParent);
                if (Files.isDirectory(parent)) {
                    try (var walk = Files.walk(parent)) {
                        for (Path cgroup : walk.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.deleteIfExists(cgroup);
                        }
                    } catch (IOException e) {
                        problems.add("cgroup " + parent + " could not be removed: " + e.getMessage());
                    }
                }
            }
        }
        if (!mounts.isEmpty()) {
            problems.add("mounts were left: " + mounts);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("the node left things behind: " + problems);
        }
    }

    private static void removeChain(String table, String chain) throws IOException, InterruptedException {
        String rules = Distribution.run(List.of("iptables", "-t", table, "-S")).out();
        for (String rule : rules.split("\n")) {
            if (rule.startsWith("-A ") && rule.contains("-j " + chain) && !rule.startsWith("-A " + chain + " ")) {
                // through a shell: rules carry quoted comments
                Distribution.run(List.of("sh", "-c", "iptables -t " + table + " -D " + rule.substring(3)));
            }
        }
        Distribution.run(List.of("iptables", "-t", table, "-F", chain));
        Distribution.run(List.of("iptables", "-t", table, "-X", chain));
    }
}
