package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.itests.support.BundleJars;

/**
 * The iptables service proxy in {@code kubundle up} on this host: a busybox httpd pod behind a
 * NodePort Service, reached by its ClusterIP from the host and from another pod, and by its
 * NodePort on the node's address; the proxy bundle uninstalled (its chains and jumps gone, the
 * service with them), installed again (traffic back), and swapped side by side for a next version
 * (which waits for the old one to let go of the chains).
 *
 * <p>Other tests run {@code up} on this host at the same time, each with a proxy of its own in
 * the host's namespace: this one configures a chain prefix of its own ({@code KP} and four hex
 * digits instead of {@code KUBE}), so it neither rewrites their chains nor waits for them, and
 * its cluster and node port addresses are random. Everything with its prefix is gone at the end
 * (checked, then removed if it was not).
 */
class ProxyIT {
    static final String BSN = "io.kubundle.proxy.iptables";

    @TempDir
    static Path dir;

    static RealNode node;
    static String prefix;
    static String clusterIp;
    static int nodePort;

    @BeforeAll
    static void startNode() throws Exception {
        prefix = "KP" + HexFormat.of().withUpperCase().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        ThreadLocalRandom random = ThreadLocalRandom.current();
        clusterIp = "10." + (100 + random.nextInt(10)) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
        nodePort = 30000 + random.nextInt(2700);
        node = new RealNode(dir);
        // a configuration of our own: the proxy restarts with the new prefix (FileInstall reads etc/ while up runs)
        Files.writeString(node.distribution.home.resolve("etc/io.kubundle.proxy.iptables.cfg"),
                "chainPrefix = " + prefix + "\nminSyncMillis = 20\n");
        Await.until(() -> chainExists("nat", prefix + "-SERVICES"), () -> "no " + prefix + "-SERVICES chain: " + save(), 60);
    }

    @AfterAll
    static void stopNode() throws Exception {
        List<String> problems = new ArrayList<>();
        try {
            if (node != null) {
                node.close();
            }
        } finally {
            // the proxy removes its chains when the process stops; whatever is left is a failure, and is removed
            if (prefix != null) {
                String left = ours();
                if (!left.isEmpty()) {
                    problems.add("chains or jumps of " + prefix + " left after the node stopped:\n" + left);
                    removeOurs();
                }
                // the proxy keeps its lock file (see its README); nobody else uses this prefix
                Path locks = Path.of("/run/kubundle/proxy-iptables");
                if (Files.isDirectory(locks)) {
                    try (var files = Files.list(locks)) {
                        for (Path lock : files.filter(f -> f.getFileName().toString().endsWith("-" + prefix + ".lock")).toList()) {
                            Files.deleteIfExists(lock);
                        }
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems);
        }
    }

    private static String save() {
        try {
            return Distribution.run(List.of("iptables-save")).out();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static boolean chainExists(String table, String chain) {
        try {
            return Distribution.run(List.of("iptables", "-w", "5", "-t", table, "-S", chain)).exitCode() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** The lines of iptables-save that name a chain of this test's prefix. */
    private static String ours() {
        return String.join("\n", save().lines().filter(l -> l.contains(prefix + "-")).toList());
    }

    private static void removeOurs() throws Exception {
        for (String table : List.of("nat", "filter")) {
            String rules = Distribution.run(List.of("iptables", "-w", "5", "-t", table, "-S")).out();
            for (String rule : rules.split("\n")) {
                if (rule.startsWith("-A ") && rule.contains("-j " + prefix + "-") && !rule.startsWith("-A " + prefix + "-")) {
                    Distribution.run(List.of("sh", "-c", "iptables -w 5 -t " + table + " -D " + rule.substring(3)));
                }
            }
            for (String rule : rules.split("\n")) {
                if (rule.startsWith("-N " + prefix + "-")) {
                    Distribution.run(List.of("iptables", "-w", "5", "-t", table, "-F", rule.substring(3).strip()));
                }
            }
            for (String rule : rules.split("\n")) {
                if (rule.startsWith("-N " + prefix + "-")) {
                    Distribution.run(List.of("iptables", "-w", "5", "-t", table, "-X", rule.substring(3).strip()));
                }
            }
        }
    }

    /** curl from the host, 3 s at most: the body, or the error. */
    private static String curl(String address) throws Exception {
        Distribution.Result result = Distribution.run(List.of("curl", "-sS", "-m", "3", "http://" + address + "/"));
        return result.exitCode() == 0 ? result.out().strip() : "curl exit " + result.exitCode() + ": " + result.err().strip();
    }

    private static String pod(String name, String labels, String script) {
        return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  labels: {" + labels + "}\nspec:\n"
                + "  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n    image: " + RealNode.IMAGE
                + "\n    command: [\"sh\", \"-c\", \"" + script + "\"]\n";
    }

    private static void awaitReady(String pod) throws InterruptedException {
        Await.until(() -> "True".equals(node.jsonpath("pod/" + pod, "{.status.conditions[?(@.type==\"Ready\")].status}")),
                () -> node.kubectl.must("describe", "pod", pod), 90);
    }

    private static void awaitAnswer(String what, ThrowingSupplier call, String expected) throws InterruptedException {
        String[] last = {""};
        Await.until(() -> {
            try {
                last[0] = call.get();
            } catch (Exception e) {
                last[0] = e.toString();
            }
            return last[0].equals(expected);
        }, () -> what + " answered " + last[0] + "\n" + ours(), 30);
    }

    interface ThrowingSupplier {
        String get() throws Exception;
    }

    @Test
    void clusterIpAndNodePortThenUninstallAndInstallAgain() throws Exception {
        node.apply(dir, "web", pod("web", "app: proxyit-web",
                "mkdir -p /www && echo proxied > /www/index.html && exec httpd -f -p 8080 -h /www")
                + "    ports:\n    - {name: http, containerPort: 8080}\n");
        node.apply(dir, "client", pod("client", "app: proxyit-client", "exec sleep 3600"));
        node.apply(dir, "service", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  clusterIP: "
                + clusterIp + "\n  selector: {app: proxyit-web}\n  ports:\n  - {name: http, port: 80, targetPort: http, nodePort: "
                + nodePort + "}\n");
        awaitReady("web");
        awaitReady("client");
        String podIp = node.jsonpath("pod/web", "{.status.podIP}");
        assertEquals(clusterIp, node.jsonpath("service/web", "{.spec.clusterIP}"), "the cluster IP asked for");

        // the endpoints controller's EndpointSlice when one runs; else one written here, as it would write it
        boolean controllerSlice;
        try {
            Await.until(() -> node.kubectl.must("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o",
                    "jsonpath={.items[*].endpoints[*].addresses[*]}").contains(podIp), () -> "no EndpointSlice", 10);
            controllerSlice = true;
        } catch (AssertionError none) {
            controllerSlice = false;
            node.apply(dir, "slice", "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-proxyit\n"
                    + "  labels: {kubernetes.io/service-name: web}\naddressType: IPv4\nports:\n- {name: http, port: 8080, protocol: TCP}\n"
                    + "endpoints:\n- addresses: [" + podIp + "]\n  conditions: {ready: true}\n  nodeName: " + node.nodeName + "\n");
        }

        awaitAnswer("the cluster IP from the host", () -> curl(clusterIp + ":80"), "proxied");
        String nat = Distribution.run(List.of("iptables-save", "-t", "nat")).out();
        assertTrue(nat.contains("-j DNAT --to-destination " + podIp + ":8080"), nat);
        assertTrue(nat.contains("-A " + prefix + "-SERVICES -d " + clusterIp
                + "/32 -p tcp -m comment --comment \"default/web:http cluster IP\""),
                "kube-proxy's layout with our prefix (controller slice: " + controllerSlice + "):\n" + ours());
        awaitAnswer("the cluster IP from another pod", () -> node.kubectl.httpGetFromPod("client", clusterIp, 80), "proxied");
        awaitAnswer("the node port on the node's address (127.0.0.1)", () -> curl("127.0.0.1:" + nodePort), "proxied");
        String gateway = node.podCidrPrefix + "1";
        awaitAnswer("the node port on the bridge's address", () -> curl(gateway + ":" + nodePort), "proxied");

        Distribution.Result removed = node.distribution.kubundle("bundles", "uninstall", BSN, "--data-dir", node.data.toString());
        assertEquals(0, removed.exitCode(), removed.err());
        assertEquals("", ours(), "uninstalling removes every chain and jump");
        assertFalse(curl(clusterIp + ":80").equals("proxied"), "no proxy, no service");

        Path jar;
        try (var files = Files.list(node.distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("kubundle-proxy-iptables-")).findFirst().orElseThrow();
        }
        Distribution.Result installed = node.distribution.kubundle("bundles", "install", jar.toString(), "--data-dir",
                node.data.toString());
        assertEquals(0, installed.exitCode(), installed.err());
        awaitAnswer("the cluster IP after the proxy came back", () -> curl(clusterIp + ":80"), "proxied");
        awaitAnswer("the cluster IP from another pod after the proxy came back",
                () -> node.kubectl.httpGetFromPod("client", clusterIp, 80), "proxied");
        awaitAnswer("the node port after the proxy came back", () -> curl("127.0.0.1:" + nodePort), "proxied");

        // side by side: the new version waits for the old one to remove its rules and let go, then takes over
        Path next = BundleJars.withVersion(jar, "9.0.0", Files.createDirectories(dir.resolve("next")));
        Distribution.Result swapped = node.distribution.kubundle("bundles", "swap", BSN, next.toString(), "--data-dir",
                node.data.toString());
        assertEquals(0, swapped.exitCode(), swapped.err());
        assertTrue(swapped.out().startsWith("swapped " + BSN), swapped.out());
        awaitAnswer("the cluster IP after a swap", () -> curl(clusterIp + ":80"), "proxied");
        String afterSwap = Distribution.run(List.of("iptables-save", "-t", "nat")).out();
        assertEquals(1, afterSwap.lines().filter(l -> l.startsWith("-A PREROUTING") && l.contains("-j " + prefix + "-SERVICES")).count(),
                "one jump, from the new proxy:\n" + ours());

        node.kubectl.ok("delete", "service", "web");
        Await.until(() -> !ours().contains(clusterIp), () -> "the deleted service's rules stay:\n" + ours(), 30);
    }
}
