package io.kubundle.cli.cluster;

import static io.kubundle.cli.cluster.HostCommands.attempt;
import static io.kubundle.cli.cluster.HostCommands.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.KubeClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Real multi-node clusters on one machine, as kind makes them: a bridge on the host and, per node,
 * a network namespace joined to it by a veth pair, with a {@code kubundle} process in it (the
 * control plane runs {@code up}, tainted as the tutorial's master is; the workers run {@code node}
 * and join with a bootstrap token). Traffic between nodes really crosses a network. Everything made
 * is written down in the cluster's {@link ClusterState} first, so {@link #delete} removes all of it.
 */
public final class Clusters {
    private static final int API_PORT = 6443;
    private static final String MASTER_TAINT = "node-role.kubernetes.io/master=:NoSchedule";

    private final Path home;
    private final Path clustersDir;
    private final TokenIssuer tokens;
    private final Consumer<String> log;

    /** Makes a bootstrap token in the cluster for the workers to join with, as {@code kubundle token create} does. */
    @FunctionalInterface
    public interface TokenIssuer {
        /** @return the token, {@code ID.SECRET} */
        String issue(KubeClient client) throws IOException, CommandException;
    }

    /**
     * @param home the distribution, whose {@code bin/kubundle} the nodes run
     * @param clustersDir where clusters are registered
     */
    public Clusters(Path home, Path clustersDir, TokenIssuer tokens, Consumer<String> log) {
        this.home = home;
        this.clustersDir = clustersDir;
        this.tokens = tokens;
        this.log = log;
    }

    public List<ClusterState> list() throws IOException {
        return ClusterState.all(clustersDir);
    }

    /** Whether the node's process is alive. */
    public static boolean running(ClusterState.Node node) {
        return node.pid() > 0 && ProcessHandle.of(node.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Makes the cluster: a control-plane node and {@code workers} worker nodes, each Ready, and
     * {@code DATA_DIR/kubeconfig}. A cluster of that name left by a crash is cleaned up first.
     *
     * @param images image tarballs every node imports before it starts
     */
    public ClusterState create(String name, Path dataDir, int workers, List<Path> images, Duration timeout)
            throws CommandException, IOException, InterruptedException {
        if (!name.matches("[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?")) {
            throw new CommandException("cluster name " + name + ": lower-case letters, digits and '-', at most 20");
        }
        var existing = ClusterState.read(clustersDir, name);
        if (existing.isPresent()) {
            if (existing.get().nodes().stream().anyMatch(Clusters::running)) {
                throw new CommandException("cluster " + name + " exists: kubundle cluster delete --name " + name + " first");
            }
            log.accept("cleaning up what a previous cluster " + name + " left");
            delete(name);
        }
        for (Path image : images) {
            if (!Files.isReadable(image)) {
                throw new CommandException("--image: cannot read " + image);
            }
        }
        ClusterState state = plan(name, dataDir.toAbsolutePath().normalize(), workers);
        state.write(clustersDir);
        try {
            makeNetwork(state);
            for (ClusterState.Node node : state.nodes()) {
                prepareNode(state, node, images);
            }
            state = start(state, state.controlPlane());
            Path kubeconfig = Path.of(state.dataDir(), "kubeconfig");
            awaitControlPlane(state, kubeconfig, timeout);
            KubeClient client = KubeClient.fromKubeconfig(kubeconfig);
            String token = tokens.issue(client);
            Path ca = Path.of(state.controlPlane().dataDir(), "pki", "ca.crt");
            for (ClusterState.Node node : state.nodes()) {
                if (!node.controlPlane()) {
                    List<String> args = new ArrayList<>(node.args());
                    args.addAll(List.of("--token", token, "--ca-file", ca.toString()));
                    state = start(state, new ClusterState.Node(node.name(), false, node.netns(), node.ip(), node.hostLink(),
                            node.cgroupParent(), node.dataDir(), 0, args));
                }
            }
            awaitNodesReady(state, client, timeout);
            log.accept("cluster " + name + " is ready: kubectl --kubeconfig " + kubeconfig + " get nodes");
            return state;
        } catch (CommandException | IOException | InterruptedException | RuntimeException e) {
            log.accept("creating cluster " + name + " failed; logs in " + state.dataDir() + "/*/kubundle.log");
            throw e;
        }
    }

    private ClusterState plan(String name, Path dataDir, int workers) throws IOException, CommandException {
        Set<Integer> taken = new LinkedHashSet<>();
        for (ClusterState other : list()) {
            taken.add(other.subnet());
        }
        String addresses = run("ip", "-4", "-o", "addr", "show");
        int subnet = 0;
        for (int candidate = 1; candidate < 255 && subnet == 0; candidate++) {
            if (!taken.contains(candidate) && !addresses.contains(" 172.29." + candidate + ".")) {
                subnet = candidate;
            }
        }
        if (subnet == 0) {
            throw new CommandException("no free /24 left in 172.29.0.0/16 for another cluster");
        }
        String id = shortHash(name);
        List<ClusterState.Node> nodes = new ArrayList<>();
        for (int i = 0; i <= workers; i++) {
            String nodeName = i == 0 ? name + "-control-plane" : name + "-worker" + (i == 1 ? "" : Integer.toString(i));
            String ip = "172.29." + subnet + "." + (10 + i);
            Path nodeDir = dataDir.resolve(i == 0 ? "control-plane" : "worker" + i);
            List<String> args = new ArrayList<>(List.of(i == 0 ? "up" : "node", "--data-dir", nodeDir.toString(),
                    "--etc-dir", nodeDir.resolve("etc").toString(), "--node-name", nodeName, "--node-ip", ip));
            if (i == 0) {
                args.addAll(List.of("--port", Integer.toString(API_PORT), "--register-with-taints", MASTER_TAINT,
                        "--node-labels", "node-role.kubernetes.io/control-plane=,node-role.kubernetes.io/master="));
            } else {
                args.addAll(List.of("--server", "https://172.29." + subnet + ".10:" + API_PORT));
            }
            nodes.add(new ClusterState.Node(nodeName, i == 0, "kbc-" + nodeName, ip, "kbc" + id + "n" + i, "kbc-" + nodeName,
                    nodeDir.toString(), 0, args));
        }
        return new ClusterState(name, dataDir.toString(), subnet, "kbc-" + id, nodes);
    }

    private void makeNetwork(ClusterState state) throws IOException {
        run("ip", "link", "add", state.bridge(), "type", "bridge");
        run("ip", "addr", "add", state.gateway() + "/24", "dev", state.bridge());
        run("ip", "link", "set", state.bridge(), "up");
        // the nodes reach the internet (registries) through the host, as kind's nodes do
        Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
        for (List<String> rule : iptablesRules(state)) {
            List<String> add = new ArrayList<>(List.of("iptables", "-w"));
            add.addAll(rule);
            run(add.toArray(String[]::new));
        }
        // LoadBalancer addresses are reached through the control plane's node, whose service proxy takes them in
        run("ip", "route", "add", state.loadBalancerPool(), "via", state.controlPlane().ip());
        for (ClusterState.Node node : state.nodes()) {
            run("ip", "netns", "add", node.netns());
            run("ip", "link", "add", node.hostLink(), "type", "veth", "peer", "name", "eth0", "netns", node.netns());
            run("ip", "link", "set", node.hostLink(), "master", state.bridge(), "up");
            run("ip", "-n", node.netns(), "addr", "add", node.ip() + "/24", "dev", "eth0");
            run("ip", "-n", node.netns(), "link", "set", "eth0", "up");
            run("ip", "-n", node.netns(), "link", "set", "lo", "up");
            run("ip", "-n", node.netns(), "route", "add", "default", "via", state.gateway());
        }
    }

    /** The host's rules for the cluster's network, each with {@code -A CHAIN} first; deleting swaps it for {@code -D}. */
    private static List<List<String>> iptablesRules(ClusterState state) {
        String comment = "kubundle cluster " + state.name();
        return List.of(
                List.of("-t", "nat", "-A", "POSTROUTING", "-s", state.cidr(), "!", "-o", state.bridge(), "-m", "comment",
                        "--comment", comment, "-j", "MASQUERADE"),
                List.of("-t", "filter", "-A", "FORWARD", "-i", state.bridge(), "-m", "comment", "--comment", comment, "-j", "ACCEPT"),
                List.of("-t", "filter", "-A", "FORWARD", "-o", state.bridge(), "-m", "comment", "--comment", comment, "-j", "ACCEPT"));
    }

    /** The node's data and configuration directories, with its own cgroup parent, and its preloaded images. */
    private void prepareNode(ClusterState state, ClusterState.Node node, List<Path> images)
            throws IOException, CommandException, InterruptedException {
        Path dir = Files.createDirectories(Path.of(node.dataDir()));
        Path etc = dir.resolve("etc");
        copyTree(home.resolve("etc"), etc);
        append(etc.resolve("io.kubundle.kubelet.cfg"), "cgroupParent = " + node.cgroupParent());
        // pods on different nodes talk over the VXLAN overlay: its 50-byte header comes off the pods' MTU
        append(etc.resolve("io.kubundle.net.flannel.cfg"), "vni = 1");
        append(etc.resolve("io.kubundle.net.bridge.cfg"), "mtu = 1450");
        if (node.controlPlane()) {
            append(etc.resolve("io.kubundle.apiserver.cfg"), "bindAddress = 0.0.0.0");
            append(etc.resolve("io.kubundle.security.cfg"), "extraSans = " + node.ip());
            append(etc.resolve("io.kubundle.lb.pool.cfg"), "addresses = " + state.loadBalancerPool());
            // the kubernetes Service's endpoint: where pods on every node reach the API server
            append(etc.resolve("io.kubundle.controller.service.cfg"), "apiServerAddress = " + node.ip());
        }
        for (Path image : images) {
            importImage(node, image);
        }
    }

    /** Imports an image tarball into every node of the cluster, as {@code kind load} does. */
    public void loadImage(String name, Path image) throws IOException, CommandException {
        for (ClusterState.Node node : require(name).nodes()) {
            importImage(node, image);
        }
    }

    /** Imports an image tarball into a node's store; a running node sees it at once. */
    private void importImage(ClusterState.Node node, Path image) throws IOException, CommandException {
        HostCommands.Result result = attempt(home.resolve("bin/kubundle").toString(), "image", "import", image.toString(),
                "--data-dir", node.dataDir());
        if (!result.ok()) {
            throw new CommandException("importing " + image + " into " + node.name() + " failed: " + result.output().strip());
        }
    }

    /** Starts the node's process in its namespace, detached from this command, and records its pid. */
    private ClusterState start(ClusterState state, ClusterState.Node node) throws IOException {
        // nsenter, not ip netns exec: that one mounts a new /sys, which hides the cgroup hierarchies
        List<String> command = new ArrayList<>(List.of("setsid", "nsenter", "--net=/run/netns/" + node.netns(), "--",
                home.resolve("bin/kubundle").toString()));
        command.addAll(node.args());
        Path logFile = Path.of(node.dataDir(), "kubundle.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process process = builder.start();
        ClusterState updated = state.with(node.withPid(process.pid()));
        updated.write(clustersDir);
        log.accept("started " + node.name() + " (pid " + process.pid() + ", " + node.ip() + ")");
        return updated;
    }

    private void awaitControlPlane(ClusterState state, Path kubeconfig, Duration timeout)
            throws IOException, CommandException, InterruptedException {
        ClusterState.Node controlPlane = state.controlPlane();
        Path written = Path.of(controlPlane.dataDir(), "kubeconfig");
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            if (Files.isRegularFile(written)) {
                // the control plane writes its loopback address: the host reaches it on the node's own
                String text = Files.readString(written).replaceAll("server: \"?https://127\\.0\\.0\\.1:\\d+\"?",
                        "server: \"https://" + controlPlane.ip() + ":" + API_PORT + "\"");
                Path temporary = kubeconfig.resolveSibling("kubeconfig.tmp");
                Files.writeString(temporary, text);
                Files.setPosixFilePermissions(temporary, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                Files.move(temporary, kubeconfig, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                try {
                    KubeClient.fromKubeconfig(kubeconfig).getRaw("/version");
                    return;
                } catch (IOException | ApiStatusException notYet) {
                    // the API server is still starting, or not reachable yet
                }
            }
            if (!running(state.controlPlane())) {
                throw new CommandException("the control plane stopped: see " + controlPlane.dataDir() + "/kubundle.log");
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CommandException("the control plane was not ready within " + timeout.toSeconds() + " s: see "
                        + controlPlane.dataDir() + "/kubundle.log");
            }
            Thread.sleep(250);
        }
    }

    private void awaitNodesReady(ClusterState state, KubeClient client, Duration timeout)
            throws CommandException, IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Set<String> ready = new LinkedHashSet<>();
            try {
                for (JsonNode node : client.getRaw("/api/v1/nodes").path("items")) {
                    for (JsonNode condition : node.path("status").path("conditions")) {
                        if (condition.path("type").asText().equals("Ready") && condition.path("status").asText().equals("True")) {
                            ready.add(node.path("metadata").path("name").asText());
                        }
                    }
                }
            } catch (ApiStatusException e) {
                throw new CommandException("cannot list the nodes: " + e.getMessage(), e);
            }
            List<String> waiting = state.nodes().stream().map(ClusterState.Node::name).filter(n -> !ready.contains(n)).toList();
            if (waiting.isEmpty()) {
                return;
            }
            for (ClusterState.Node node : state.nodes()) {
                if (!running(node)) {
                    throw new CommandException("node " + node.name() + " stopped: see " + node.dataDir() + "/kubundle.log");
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new CommandException("nodes not Ready within " + timeout.toSeconds() + " s: " + waiting);
            }
            Thread.sleep(500);
        }
    }

    /** Stops a node as a machine stops: its process and every container it runs die, its link goes down. */
    public ClusterState stopNode(String name, String nodeName) throws IOException, CommandException, InterruptedException {
        ClusterState state = require(name);
        ClusterState.Node node = state.node(nodeName).orElseThrow(() -> new CommandException("cluster " + name + " has no node "
                + nodeName + "; its nodes: " + state.nodes().stream().map(ClusterState.Node::name).toList()));
        killNode(node);
        attempt("ip", "link", "set", node.hostLink(), "down");
        ClusterState updated = state.with(node.withPid(0));
        updated.write(clustersDir);
        log.accept("stopped " + nodeName);
        return updated;
    }

    /** Starts a stopped node again; it adopts what it finds and rejoins with the credentials it has. */
    public ClusterState startNode(String name, String nodeName) throws IOException, CommandException {
        ClusterState state = require(name);
        ClusterState.Node node = state.node(nodeName).orElseThrow(() -> new CommandException("cluster " + name + " has no node "
                + nodeName));
        if (running(node)) {
            throw new CommandException("node " + nodeName + " is running");
        }
        run("ip", "link", "set", node.hostLink(), "up");
        return start(state, node);
    }

    /** Removes everything the cluster made: processes, containers, namespaces, links, rules, cgroups, mounts and files. */
    public boolean delete(String name) throws IOException, InterruptedException {
        var found = ClusterState.read(clustersDir, name);
        if (found.isEmpty()) {
            return false;
        }
        ClusterState state = found.get();
        for (ClusterState.Node node : state.nodes()) {
            killNode(node);
        }
        for (ClusterState.Node node : state.nodes()) {
            deletePodNamespaces(Path.of(node.dataDir()));
            attempt("ip", "netns", "delete", node.netns());
            attempt("ip", "link", "delete", node.hostLink());
            removeCgroups(node.cgroupParent());
        }
        attempt("ip", "route", "delete", state.loadBalancerPool());
        attempt("ip", "link", "delete", state.bridge());
        for (List<String> rule : iptablesRules(state)) {
            List<String> delete = new ArrayList<>(List.of("iptables", "-w"));
            delete.addAll(rule);
            delete.set(delete.indexOf("-A"), "-D");
            while (attempt(delete.toArray(String[]::new)).ok()) {
                // a rule added twice by an interrupted create goes too
            }
        }
        unmountUnder(Path.of(state.dataDir()));
        deleteTree(Path.of(state.dataDir()));
        ClusterState.remove(clustersDir, name);
        log.accept("deleted cluster " + name);
        return true;
    }

    private ClusterState require(String name) throws IOException, CommandException {
        return ClusterState.read(clustersDir, name).orElseThrow(() -> new CommandException("no cluster " + name
                + " (kubundle cluster list shows them)"));
    }

    /**
     * Kills the node's process, everything in its network namespace (its container supervisors)
     * and everything in its cgroups (its containers), and waits until they are gone.
     */
    private static void killNode(ClusterState.Node node) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            Set<Long> pids = new LinkedHashSet<>();
            if (running(node)) {
                pids.add(node.pid());
            }
            HostCommands.Result inNamespace = attempt("ip", "netns", "pids", node.netns());
            if (inNamespace.ok()) {
                inNamespace.output().lines().map(String::strip).filter(l -> l.matches("\\d+")).map(Long::parseLong).forEach(pids::add);
            }
            pids.addAll(cgroupPids(node.cgroupParent()));
            pids.remove(ProcessHandle.current().pid());
            if (pids.isEmpty()) {
                return;
            }
            for (long pid : pids) {
                attempt("kill", "-9", Long.toString(pid));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("processes of node " + node.name() + " would not die: " + pids);
            }
            Thread.sleep(100);
        }
    }

    /** The network namespaces of the node's pods ({@code kubundle-UID}, as its kubelet names them), which outlive it. */
    private static void deletePodNamespaces(Path nodeDir) throws IOException {
        Path pods = nodeDir.resolve("kubelet").resolve("pods");
        if (!Files.isDirectory(pods)) {
            return;
        }
        try (Stream<Path> uids = Files.list(pods)) {
            for (Path uid : uids.toList()) {
                if (Files.exists(Path.of("/run/netns", "kubundle-" + uid.getFileName()))) {
                    attempt("ip", "netns", "delete", "kubundle-" + uid.getFileName());
                }
            }
        }
    }

    private static Set<Long> cgroupPids(String parent) throws IOException {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path cgroup : cgroups(parent)) {
            Path procs = cgroup.resolve("cgroup.procs");
            if (Files.isReadable(procs)) {
                try {
                    Files.readAllLines(procs).stream().map(String::strip).filter(l -> !l.isEmpty()).map(Long::parseLong)
                            .forEach(pids::add);
                } catch (IOException removedMeanwhile) {
                    // the cgroup went away while it was read
                }
            }
        }
        return pids;
    }

    /** Every cgroup under {@code parent} in every hierarchy, deepest first. */
    private static List<Path> cgroups(String parent) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path top = hierarchy.resolve(parent);
                if (Files.isDirectory(top)) {
                    try (Stream<Path> walk = Files.walk(top)) {
                        walk.filter(Files::isDirectory).forEach(found::add);
                    }
                }
            }
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    private static void removeCgroups(String parent) throws IOException {
        for (Path cgroup : cgroups(parent)) {
            try {
                Files.deleteIfExists(cgroup);
            } catch (IOException busy) {
                throw new IOException("cgroup " + cgroup + " could not be removed: " + busy.getMessage(), busy);
            }
        }
    }

    /** Unmounts what is still mounted under {@code dir} in this mount namespace, deepest first. */
    private static void unmountUnder(Path dir) throws IOException {
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            String point = fields[4].replace("\\040", " ");
            if (point.startsWith(dir + "/") || point.equals(dir.toString())) {
                mounts.add(point);
            }
        }
        mounts.sort(Comparator.comparingInt(String::length).reversed());
        for (String point : mounts) {
            attempt("umount", "-l", point);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void append(Path file, String line) throws IOException {
        Files.writeString(file, "\n" + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String shortHash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Labels for {@code cluster list}: each node and whether it runs. */
    public static Map<String, String> nodeStates(ClusterState state) {
        Map<String, String> states = new java.util.LinkedHashMap<>();
        state.nodes().forEach(n -> states.put(n.name(), running(n) ? "running" : "stopped"));
        return states;
    }
}
