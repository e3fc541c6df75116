package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node with the native runtime (namespaces, chroot and cgroupfs, no runc): pods run, serve,
 * crash and restart, take exec, outlive a runtime bundle update and a kill -9 of the node, as with
 * runc; and a node switched from runc to native while it runs keeps its old pods under runc,
 * managed, and runs new ones under native.
 */
class NativeRuntimeIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void podsRunUnderTheNativeRuntime() throws Exception {
        try (RealNode node = new RealNode(dir, "--container-runtime", "native")) {
            node.apply(dir, "web", pod("web", "Always", container("web",
                    "mkdir -p /www && echo hello from native > /www/index.html && exec httpd -f -p 8080 -h /www")
                    + "    readinessProbe:\n      httpGet:\n        path: /index.html\n        port: 8080\n      periodSeconds: 1\n"));
            awaitPhase(node, "web", "Running");
            Await.until(() -> "True".equals(node.jsonpath("pod/web", "{.status.conditions[?(@.type==\"Ready\")].status}")),
                    () -> node.kubectl.must("describe", "pod", "web"), 30);
            assertTrue(node.jsonpath("pod/web", "{.status.containerStatuses[0].containerID}").startsWith("native://"));
            String ip = node.jsonpath("pod/web", "{.status.podIP}");
            assertTrue(ip.startsWith(node.podCidrPrefix), ip);
            Await.until(() -> get("http://" + ip + ":8080/").equals("200 hello from native\n"),
                    () -> get("http://" + ip + ":8080/"), 20);
            assertEquals("web\n", node.kubectl.ok("exec", "web", "--", "hostname"));
            assertEquals("1\n", node.kubectl.ok("exec", "web", "--", "sh", "-c", "pidof httpd"));
            Distribution.Result failed = node.kubectl.run("exec", "web", "--", "sh", "-c", "exit 3");
            assertEquals(3, failed.exitCode(), failed.err());

            // a bundle update (deactivation, a new instance) leaves the container running, and the new one manages it
            String webId = node.jsonpath("pod/web", "{.status.containerStatuses[0].containerID}");
            Path jar;
            try (Stream<Path> jars = Files.list(node.distribution.home.resolve("bundles"))) {
                jar = jars.filter(p -> p.getFileName().toString().startsWith("kubundle-runtime-native-")).findFirst().orElseThrow();
            }
            Distribution.Result updated = node.distribution.kubundle("bundles", "update", "io.kubundle.runtime.native",
                    jar.toString(), "--data-dir", node.data.toString());
            assertEquals(0, updated.exitCode(), updated.err());
            assertEquals("200 hello from native\n", get("http://" + ip + ":8080/"));
            // the kubelet takes the new instance as Declarative Services hands it over
            Await.until(() -> kubectl(node, "exec", "web", "--", "hostname").equals("web\n"),
                    () -> kubectl(node, "exec", "web", "--", "hostname") + "\n" + bundles(node) + diagnostics(node), 20);
            assertEquals(webId, node.jsonpath("pod/web", "{.status.containerStatuses[0].containerID}"));

            // kill -9 of the whole node: the container prints on, the node adopts it, no line lost or repeated
            node.apply(dir, "ticker", pod("ticker", "Always",
                    container("c", "i=0; while true; do i=$((i+1)); echo n$i; sleep 0.2; done")));
            awaitPhase(node, "ticker", "Running");
            String tickerId = node.jsonpath("pod/ticker", "{.status.containerStatuses[0].containerID}");
            // killed while it prints
            Await.until(() -> logs(node, "ticker").contains("n10\n"), () -> logs(node, "ticker"), 20);
            node.process.kill();
            Thread.sleep(2000);
            node.start();
            Await.until(() -> "True".equals(node.jsonpath("node/" + node.nodeName,
                    "{.status.conditions[?(@.type==\"Ready\")].status}")), () -> node.kubectl.must("describe", "node", node.nodeName), 60);
            Thread.sleep(3000);
            assertEquals(tickerId, node.jsonpath("pod/ticker", "{.status.containerStatuses[0].containerID}"),
                    () -> "the same container\n" + diagnostics(node));
            assertEquals("0", node.jsonpath("pod/ticker", "{.status.containerStatuses[0].restartCount}"));
            String[] lines = logs(node, "ticker").strip().split("\n");
            for (int i = 0; i < lines.length; i++) {
                assertEquals("n" + (i + 1), lines[i], () -> "no line lost or repeated across the kill\n" + diagnostics(node));
            }
            assertTrue(lines.length > 20, "it printed while the node was down: " + lines.length);

            node.apply(dir, "crash", pod("crash", "OnFailure", container("c", "echo crash; exit 1")));
            Await.until(() -> Integer.parseInt(node.jsonpath("pod/crash", "{.status.containerStatuses[0].restartCount}")) >= 1,
                    () -> node.kubectl.must("describe", "pod", "crash"), 60);
            assertEquals("Error", node.jsonpath("pod/crash", "{.status.containerStatuses[0].lastState.terminated.reason}"));
            assertEquals("1", node.jsonpath("pod/crash", "{.status.containerStatuses[0].lastState.terminated.exitCode}"));
            assertEquals("crash\n", node.kubectl.ok("logs", "crash", "--previous"));

            node.kubectl.ok("delete", "pod", "web", "ticker", "crash", "--wait=true", "--timeout=60s");
            assertTrue(get("http://" + ip + ":8080/").contains("Exception"), "the pod's address is gone with it");
            assertNoNativeContainers(node);
        }
    }

    @Test
    void aRunningNodeSwitchedFromRuncToNativeKeepsItsOldPodsUnderRunc() throws Exception {
        try (RealNode node = new RealNode(dir)) {
            node.apply(dir, "old", pod("old", "Always", container("c", "while true; do echo tick; sleep 1; done")));
            awaitPhase(node, "old", "Running");
            String oldId = node.jsonpath("pod/old", "{.status.containerStatuses[0].containerID}");
            assertTrue(oldId.startsWith("runc://"), oldId);

            // Config Admin (FileInstall) hands the change to the kubelet, whose component restarts with it.
            long runs = kubeletStarts(node);
            Path config = node.distribution.home.resolve("etc/io.kubundle.kubelet.cfg");
            Files.writeString(config, Files.readString(config) + "runtime = native\n");
            Await.until(() -> kubeletStarts(node) > runs, () -> String.join("\n", node.process.output()), 30);

            node.apply(dir, "new", pod("new", "Always", container("c", "while true; do echo tock; sleep 1; done")));
            awaitPhase(node, "new", "Running");
            String newId = node.jsonpath("pod/new", "{.status.containerStatuses[0].containerID}");
            assertTrue(newId.startsWith("native://"), newId);
            Await.until(() -> logs(node, "new").contains("tock"), () -> logs(node, "new"), 20);

            assertEquals(oldId, node.jsonpath("pod/old", "{.status.containerStatuses[0].containerID}"), "the same container");
            assertEquals("0", node.jsonpath("pod/old", "{.status.containerStatuses[0].restartCount}"));
            assertEquals("Running", node.jsonpath("pod/old", "{.status.phase}"));
            Await.until(() -> logs(node, "old").split("\n").length > 3, () -> logs(node, "old"), 20);
            Path runcRoot = node.data.resolve("runtime/runc/runc");
            assertTrue(Distribution.run(List.of("runc", "--root", runcRoot.toString(), "list", "-q")).out()
                    .contains(oldId.substring("runc://".length())), "runc runs it");

            // still managed: deleting the old pod stops its runc container
            node.kubectl.ok("delete", "pod", "old", "new", "--wait=true", "--timeout=60s");
            String runcList = Distribution.run(List.of("runc", "--root", runcRoot.toString(), "list", "-q")).out();
            assertTrue(runcList.isBlank(), "no runc container left: " + runcList);
            assertNoNativeContainers(node);
        }
    }

    /** The logs, the native containers, the ticker pod, the bundles and the node's output, for failure messages. */
    private static String diagnostics(RealNode node) {
        try {
            return Distribution.run(List.of("sh", "-c", "find " + node.data.resolve("logs") + " -type f | xargs tail -n 200; ls -la "
                    + node.data.resolve("runtime/native/containers") + "; cat " + node.data.resolve("runtime/native/containers")
                    + "/*/shim.log")).out() + node.kubectl.must("get", "pod", "ticker", "-o", "yaml") + String.join("\n", node.process.output());
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static String bundles(RealNode node) {
        try {
            return node.distribution.kubundle("bundles", "list", "--data-dir", node.data.toString()).out();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static long kubeletStarts(RealNode node) {
        return node.process.output().stream().filter(line -> line.contains("kubelet of node " + node.nodeName + " runs")).count();
    }

    private static void assertNoNativeContainers(RealNode node) throws Exception {
        Path containers = node.data.resolve("runtime/native/containers");
        if (Files.isDirectory(containers)) {
            try (Stream<Path> left = Files.list(containers)) {
                assertEquals(List.of(), left.toList(), "native containers left");
            }
        }
    }

    private static String pod(String name, String restartPolicy, String containers) {
        return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  restartPolicy: " + restartPolicy
                + "\n  terminationGracePeriodSeconds: 2\n  containers:\n" + containers;
    }

    private static String container(String name, String script) {
        return "  - name: " + name + "\n    image: " + RealNode.IMAGE + "\n    command: [\"sh\", \"-c\", \""
                + script.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]\n";
    }

    private static void awaitPhase(RealNode node, String pod, String phase) throws InterruptedException {
        Await.until(() -> phase.equals(node.jsonpath("pod/" + pod, "{.status.phase}")),
                () -> node.kubectl.must("describe", "pod", pod), 60);
    }

    private static String logs(RealNode node, String pod) {
        return kubectl(node, "logs", pod);
    }

    /** What kubectl prints, errors included. */
    private static String kubectl(RealNode node, String... args) {
        try {
            Distribution.Result result = node.kubectl.run(args);
            return result.out() + result.err();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static String get(String url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
