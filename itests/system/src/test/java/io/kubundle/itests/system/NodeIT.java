package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node with real containers: {@code kubundle up} runs pods with runc on the bridge network, and
 * the real kubectl sees them as Kubernetes shows them (issue 5's acceptance).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeIT {
    @TempDir
    static Path dir;

    static RealNode node;
    /** The runtime the pods run with: NodeIT takes up's default (runc here), NativeNodeIT native. */
    static String runtime = "runc";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The runtime this class's pods run with; {@code up}'s default picks runc where it works. */
    String runtimeName() {
        return "runc";
    }

    @BeforeAll
    void startNode() throws Exception {
        runtime = runtimeName();
        node = new RealNode(dir, "--container-runtime", runtime);
    }

    @AfterAll
    void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static String pod(String name, String restartPolicy, String containers) {
        return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  restartPolicy: " + restartPolicy
                + "\n  terminationGracePeriodSeconds: 2\n  containers:\n" + containers;
    }

    private static String container(String name, String script) {
        return "  - name: " + name + "\n    image: " + RealNode.IMAGE + "\n    command: [\"sh\", \"-c\", " + quote(script) + "]\n";
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void awaitPhase(String pod, String phase, int seconds) throws InterruptedException {
        Await.until(() -> phase.equals(node.jsonpath("pod/" + pod, "{.status.phase}")),
                () -> node.kubectl.must("describe", "pod", pod), seconds);
    }

    private static String get(String url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** kubectl logs, or its error while there is nothing to show yet. */
    private static String logs(String... args) {
        try {
            Distribution.Result result = node.kubectl.run(java.util.stream.Stream.concat(java.util.stream.Stream.of("logs"),
                    java.util.Arrays.stream(args)).toArray(String[]::new));
            return result.out() + result.err();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void anHttpdPodRunsAndServesOnItsOwnAddress() throws Exception {
        node.apply(dir, "httpd", pod("httpd", "Always", container("web",
                "mkdir -p /www && echo hello from a real pod > /www/index.html && exec httpd -f -p 8080 -h /www")
                + "    ports:\n    - name: http\n      containerPort: 8080\n"
                + "    readinessProbe:\n      httpGet:\n        path: /index.html\n        port: http\n      periodSeconds: 1\n"
                + "    livenessProbe:\n      tcpSocket:\n        port: 8080\n      periodSeconds: 1\n"));
        awaitPhase("httpd", "Running", 60);
        Await.until(() -> "True".equals(node.jsonpath("pod/httpd", "{.status.conditions[?(@.type==\"Ready\")].status}")),
                () -> node.kubectl.must("describe", "pod", "httpd"), 30);
        String ip = node.jsonpath("pod/httpd", "{.status.podIP}");
        assertTrue(ip.startsWith(node.podCidrPrefix), ip);
        Await.until(() -> get("http://" + ip + ":8080/").equals("200 hello from a real pod\n"),
                () -> get("http://" + ip + ":8080/"), 20);
        assertEquals(node.nodeName, node.jsonpath("pod/httpd", "{.spec.nodeName}"));
        node.kubectl.ok("delete", "pod", "httpd", "--wait=true");
        assertTrue(get("http://" + ip + ":8080/").contains("Exception"), "the pod's address is gone with it");
    }

    @Test
    void twoContainersShareTheNetworkAndAnEmptyDir() throws Exception {
        node.apply(dir, "shared", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: shared\nspec:\n  terminationGracePeriodSeconds: 2\n"
                + "  volumes:\n  - name: html\n    emptyDir: {}\n  containers:\n"
                + container("writer", "while true; do date +%s > /html/index.html; echo written; sleep 1; done")
                + "    volumeMounts:\n    - name: html\n      mountPath: /html\n"
                + container("server", "exec httpd -f -p 80 -h /usr/share/html")
                + "    volumeMounts:\n    - name: html\n      mountPath: /usr/share/html\n"
                + container("client", "sleep 2; while true; do wget -qO- http://localhost:80/ && echo fetched; sleep 1; done"));
        awaitPhase("shared", "Running", 60);
        String ip = node.jsonpath("pod/shared", "{.status.podIP}");
        Await.until(() -> get("http://" + ip + "/").matches("200 \\d+\\n"), () -> get("http://" + ip + "/"), 20);
        Await.until(() -> logs("shared", "-c", "client").contains("fetched"), () -> logs("shared", "-c", "client"), 20);
        node.kubectl.ok("delete", "pod", "shared", "--wait=true");
    }

    @Test
    void restartPoliciesActOnExitCodesAsKubernetesDoes() throws Exception {
        node.apply(dir, "never-ok", pod("never-ok", "Never", container("c", "echo done; exit 0")));
        node.apply(dir, "never-fail", pod("never-fail", "Never", container("c", "echo failing; exit 1")));
        node.apply(dir, "onfailure-ok", pod("onfailure-ok", "OnFailure", container("c", "exit 0")));
        node.apply(dir, "always-ok", pod("always-ok", "Always", container("c", "echo run; exit 0")));
        node.apply(dir, "onfailure-fail", pod("onfailure-fail", "OnFailure", container("c", "echo crash; exit 1")));
        awaitPhase("never-ok", "Succeeded", 60);
        awaitPhase("never-fail", "Failed", 60);
        awaitPhase("onfailure-ok", "Succeeded", 60);
        assertEquals("Completed", node.jsonpath("pod/never-ok", "{.status.containerStatuses[0].state.terminated.reason}"));
        assertEquals("1", node.jsonpath("pod/never-fail", "{.status.containerStatuses[0].state.terminated.exitCode}"));
        assertEquals("Error", node.jsonpath("pod/never-fail", "{.status.containerStatuses[0].state.terminated.reason}"));
        assertEquals("done\n", node.kubectl.ok("logs", "never-ok"));
        // Always restarts even after exit 0; OnFailure after exit 1: both count restarts and back off
        for (String pod : new String[] {"always-ok", "onfailure-fail"}) {
            Await.until(() -> Integer.parseInt(node.jsonpath("pod/" + pod, "{.status.containerStatuses[0].restartCount}")) >= 2,
                    () -> node.kubectl.must("describe", "pod", pod), 60);
            assertEquals("Running", node.jsonpath("pod/" + pod, "{.status.phase}"));
        }
        Await.until(() -> node.jsonpath("pod/onfailure-fail", "{.status.containerStatuses[0].state.waiting.reason}")
                .equals("CrashLoopBackOff"), () -> node.kubectl.must("describe", "pod", "onfailure-fail"), 60);
        assertEquals("crash\n", node.kubectl.ok("logs", "onfailure-fail", "--previous"));
        String describe = node.kubectl.ok("describe", "pod", "onfailure-fail");
        assertTrue(describe.contains("Back-off restarting failed container c"), describe);
        assertEquals("0", node.jsonpath("pod/never-ok", "{.status.containerStatuses[0].restartCount}"));
        node.kubectl.ok("delete", "pod", "never-ok", "never-fail", "onfailure-ok", "always-ok", "onfailure-fail", "--wait=true");
    }

    @Test
    void livenessFailureRestartsAndReadinessFailureTurnsReadyFalseAndBack() throws Exception {
        node.apply(dir, "probed", pod("probed", "Always",
                container("live", "touch /tmp/healthy; sleep 4; rm /tmp/healthy; sleep 3600")
                + "    livenessProbe:\n      exec:\n        command: [test, -f, /tmp/healthy]\n      periodSeconds: 1\n"
                + "      failureThreshold: 2\n"
                + container("ready", "touch /tmp/ready; sleep 6; rm /tmp/ready; sleep 6; touch /tmp/ready; sleep 3600")
                + "    readinessProbe:\n      exec:\n        command: [test, -f, /tmp/ready]\n      periodSeconds: 1\n"
                + "      failureThreshold: 1\n"));
        java.util.List<String> readiness = new java.util.ArrayList<>();
        Await.until(() -> {
            String ready = node.jsonpath("pod/probed", "{.status.containerStatuses[?(@.name==\"ready\")].ready}");
            if (!ready.isEmpty() && (readiness.isEmpty() || !readiness.get(readiness.size() - 1).equals(ready))) {
                readiness.add(ready);
            }
            return String.join(",", readiness).contains("true,false,true");
        }, () -> "ready container's readiness went " + readiness + "; " + node.kubectl.must("describe", "pod", "probed"), 60);
        Await.until(() -> !node.jsonpath("pod/probed", "{.status.containerStatuses[?(@.name==\"live\")].restartCount}").equals("0"),
                () -> node.kubectl.must("describe", "pod", "probed"), 60);
        String describe = node.kubectl.ok("describe", "pod", "probed");
        assertTrue(describe.contains("Liveness probe failed"), describe);
        assertTrue(describe.contains("failed liveness probe, will be restarted"), describe);
        assertEquals("0", node.jsonpath("pod/probed", "{.status.containerStatuses[?(@.name==\"ready\")].restartCount}"),
                "readiness never restarts");
        node.kubectl.ok("delete", "pod", "probed", "--wait=true");
    }

    @Test
    void aMemoryHogIsOomKilled() throws Exception {
        node.apply(dir, "hog", pod("hog", "Never", container("hog", "echo start; x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived")
                + "    resources:\n      limits:\n        memory: 32Mi\n"));
        awaitPhase("hog", "Failed", 60);
        assertEquals("OOMKilled", node.jsonpath("pod/hog", "{.status.containerStatuses[0].state.terminated.reason}"));
        assertEquals("137", node.jsonpath("pod/hog", "{.status.containerStatuses[0].state.terminated.exitCode}"));
        // the shell may report its killed pipeline ("Killed") before the OOM killer takes it too
        String logs = node.kubectl.ok("logs", "hog");
        assertTrue(logs.startsWith("start\n") && !logs.contains("survived"), logs);
        node.kubectl.ok("delete", "pod", "hog", "--wait=true");
    }

    @Test
    void aJobsOutputIsInKubectlLogs() throws Exception {
        node.apply(dir, "job", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: counter\nspec:\n  template:\n    spec:\n"
                + "      restartPolicy: Never\n      containers:\n      - name: count\n        image: " + RealNode.IMAGE + "\n"
                + "        command: [sh, -c, 'for i in 1 2 3; do echo line $i; done']\n");
        Await.until(() -> "1".equals(node.jsonpath("job/counter", "{.status.succeeded}")),
                () -> node.kubectl.must("describe", "job", "counter"), 60);
        assertEquals("line 1\nline 2\nline 3\n", node.kubectl.ok("logs", "job/counter"));
        node.kubectl.ok("delete", "job", "counter", "--wait=true");
    }

    @Test
    void secretsAndConfigMapsAsFilesAndEnvironmentFollowUpdates() throws Exception {
        Path hostDir = java.nio.file.Files.createDirectories(dir.resolve("host-data"));
        java.nio.file.Files.writeString(hostDir.resolve("from-host.txt"), "host file\n");
        node.kubectl.ok("create", "configmap", "settings", "--from-literal=mode=first");
        node.kubectl.ok("create", "secret", "generic", "creds", "--from-literal=password=s3cr3t");
        node.apply(dir, "configured", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: configured\nspec:\n"
                + "  terminationGracePeriodSeconds: 1\n  volumes:\n"
                + "  - name: cfg\n    configMap:\n      name: settings\n"
                + "  - name: sec\n    secret:\n      secretName: creds\n      defaultMode: 0400\n"
                + "  - name: host\n    hostPath:\n      path: " + hostDir + "\n      type: Directory\n"
                + "  containers:\n" + container("app", "echo env $MODE $PASSWORD; cat /host/from-host.txt; echo made > /host/from-pod.txt; "
                        + "stat -c %a /sec/..data/password; while true; do echo file $(cat /cfg/mode); sleep 1; done")
                + "    env:\n    - name: MODE\n      valueFrom:\n        configMapKeyRef:\n          name: settings\n          key: mode\n"
                + "    - name: PASSWORD\n      valueFrom:\n        secretKeyRef:\n          name: creds\n          key: password\n"
                + "    volumeMounts:\n    - {name: cfg, mountPath: /cfg}\n    - {name: sec, mountPath: /sec}\n"
                + "    - {name: host, mountPath: /host}\n");
        awaitPhase("configured", "Running", 60);
        Await.until(() -> logs("configured").contains("file first"), () -> logs("configured"), 20);
        String first = logs("configured");
        assertTrue(first.startsWith("env first s3cr3t\nhost file\n400\n"), first);
        assertEquals("made\n", java.nio.file.Files.readString(hostDir.resolve("from-pod.txt")));
        node.kubectl.ok("patch", "configmap", "settings", "-p", "{\"data\":{\"mode\":\"second\"}}");
        Await.until(() -> logs("configured").contains("file second"), () -> logs("configured"), 30);
        node.kubectl.ok("delete", "pod", "configured", "--wait=true");
        node.kubectl.ok("delete", "configmap", "settings");
        node.kubectl.ok("delete", "secret", "creds");
    }

    @Test
    void badInputShowsTheRightReasonAndDisturbsNothingElse() throws Exception {
        node.apply(dir, "steady", pod("steady", "Always", container("c", "while true; do echo tick; sleep 1; done")));
        awaitPhase("steady", "Running", 60);
        String steadyId = node.jsonpath("pod/steady", "{.status.containerStatuses[0].containerID}");
        node.apply(dir, "no-image", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: no-image\nspec:\n  containers:\n"
                + "  - name: c\n    image: 127.0.0.1:1/nothing/here:1.0\n");
        node.apply(dir, "no-command", pod("no-command", "Always", "  - name: c\n    image: " + RealNode.IMAGE
                + "\n    command: [/no/such/command]\n"));
        node.apply(dir, "no-volume", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: no-volume\nspec:\n  volumes:\n"
                + "  - name: v\n    hostPath:\n      path: /no/such/dir\n      type: Directory\n  containers:\n"
                + container("c", "sleep 3600") + "    volumeMounts:\n    - {name: v, mountPath: /v}\n");
        Await.until(() -> node.jsonpath("pod/no-image", "{.status.containerStatuses[0].state.waiting.reason}")
                .matches("ErrImagePull|ImagePullBackOff"), () -> node.kubectl.must("describe", "pod", "no-image"), 60);
        Await.until(() -> node.jsonpath("pod/no-image", "{.status.containerStatuses[0].state.waiting.reason}")
                .equals("ImagePullBackOff"), () -> node.kubectl.must("describe", "pod", "no-image"), 60);
        assertTrue(node.kubectl.ok("describe", "pod", "no-image").contains("Failed to pull image \"127.0.0.1:1/nothing/here:1.0\""));
        Await.until(() -> node.kubectl.must("describe", "pod", "no-command").contains("/no/such/command"),
                () -> node.kubectl.must("describe", "pod", "no-command"), 60);
        Await.until(() -> node.kubectl.must("describe", "pod", "no-volume").contains("FailedMount"),
                () -> node.kubectl.must("describe", "pod", "no-volume"), 60);
        assertTrue(node.kubectl.ok("describe", "pod", "no-volume").contains("/no/such/dir is not a directory"));
        assertEquals("Pending", node.jsonpath("pod/no-volume", "{.status.phase}"));
        assertEquals(steadyId, node.jsonpath("pod/steady", "{.status.containerStatuses[0].containerID}"));
        assertEquals("0", node.jsonpath("pod/steady", "{.status.containerStatuses[0].restartCount}"));
        node.kubectl.ok("delete", "pod", "steady", "no-image", "no-command", "no-volume", "--wait=true");
    }

    @Test
    void execRunsInTheContainer() throws Exception {
        node.apply(dir, "shell", pod("shell", "Always", container("c", "echo ready > /tmp/state; sleep 3600")));
        awaitPhase("shell", "Running", 60);
        assertEquals("ready\n", node.kubectl.ok("exec", "shell", "--", "cat", "/tmp/state"));
        Distribution.Result failed = node.kubectl.run("exec", "shell", "--", "sh", "-c", "exit 3");
        assertEquals(3, failed.exitCode(), failed.err());
        node.kubectl.ok("delete", "pod", "shell", "--wait=true");
    }

    @Test
    void kubectlRunWithPipedStdinEchoesItBackAndRemovesThePod() throws Exception {
        Process run = node.kubectl.start("run", "echo-back", "--image=" + RealNode.IMAGE, "-i", "--restart=Never", "--rm",
                "--", "sh", "-c", "read x; echo got $x");
        try (var stdin = run.getOutputStream()) {
            stdin.write("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        java.util.concurrent.BlockingQueue<String> lines = Distribution.outputLines(run);
        assertTrue(run.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "kubectl run -i did not end: " + lines);
        assertTrue(lines.contains("got hello"), "kubectl run -i printed " + lines);
        assertEquals(0, run.exitValue(), lines.toString());
        Await.until(() -> node.kubectl.must("get", "pods", "-o", "name").isBlank(), () -> "--rm left the pod", 30);
    }

    @Test
    void attachesWriteToAStdinThatStaysOpenAcrossAKilledNodeAndLoseNoLogLine() throws Exception {
        node.apply(dir, "console", pod("console", "Always", container("c", "while read l; do echo \"echo $l\"; done")
                + "    stdin: true\n"));
        awaitPhase("console", "Running", 60);
        for (String word : java.util.List.of("one", "two")) {
            Process attach = node.kubectl.start("attach", "-i", "console", "-c", "c");
            try {
                java.util.concurrent.BlockingQueue<String> lines = Distribution.outputLines(attach);
                attach.getOutputStream().write((word + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                attach.getOutputStream().flush();
                for (String line = ""; !line.equals("echo " + word); ) {
                    line = lines.poll(30, java.util.concurrent.TimeUnit.SECONDS);
                    assertTrue(line != null, "kubectl attach -i printed no \"echo " + word + "\": " + lines + "; the log has: "
                            + logs("console") + "; kubectl alive: " + attach.isAlive());
                }
            } finally {
                // detaches: the container and its stdin stay
                attach.destroy();
                attach.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (word.equals("one")) {
                // the shim's log writer, not the node, holds the stdin: attaching works after a kill -9 of the node
                node.process.kill();
                node.start();
                Await.until(() -> "True".equals(node.jsonpath("node/" + node.nodeName,
                        "{.status.conditions[?(@.type==\"Ready\")].status}")), () -> node.kubectl.must("describe", "node", node.nodeName), 60);
            }
        }
        assertEquals("Running", node.jsonpath("pod/console", "{.status.phase}"));
        assertEquals("0", node.jsonpath("pod/console", "{.status.containerStatuses[0].restartCount}"));
        assertEquals("echo one\necho two\n", logs("console"));
        node.kubectl.ok("delete", "pod", "console", "--wait=true");
    }

    @Test
    void attachingStdinToAContainerWithoutItIsRefusedWithTheReason() throws Exception {
        node.apply(dir, "no-stdin", pod("no-stdin", "Always", container("c", "sleep 3600")));
        awaitPhase("no-stdin", "Running", 60);
        Distribution.Result refused = node.kubectl.run("attach", "-i", "no-stdin", "-c", "c");
        assertTrue(refused.exitCode() != 0, refused.out());
        assertTrue(refused.err().contains("was not created with stdin: true"), refused.err());
        node.kubectl.ok("delete", "pod", "no-stdin", "--wait=true");
    }

    @Test
    void portForwardReachesThePodAndPreStopRunsBeforeTheStop() throws Exception {
        Path hostDir = java.nio.file.Files.createDirectories(dir.resolve("prestop"));
        node.apply(dir, "forwarded", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: forwarded\nspec:\n"
                + "  terminationGracePeriodSeconds: 5\n  volumes:\n  - name: out\n    hostPath:\n      path: " + hostDir + "\n"
                + "  containers:\n" + container("web", "mkdir /www && echo forwarded > /www/index.html && "
                        + "trap 'echo term >> /out/events; exit 0' TERM; httpd -f -p 8080 -h /www & wait")
                + "    volumeMounts:\n    - {name: out, mountPath: /out}\n"
                + "    lifecycle:\n      preStop:\n        exec:\n          command: [sh, -c, 'echo prestop >> /out/events']\n");
        awaitPhase("forwarded", "Running", 60);
        Process forward = node.kubectl.start("port-forward", "pod/forwarded", ":8080");
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(forward.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            String line = out.readLine();
            java.util.regex.Matcher port = java.util.regex.Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 8080")
                    .matcher(line == null ? "" : line);
            assertTrue(port.find(), "kubectl port-forward said: " + line);
            Await.until(() -> get("http://127.0.0.1:" + port.group(1) + "/").equals("200 forwarded\n"),
                    () -> get("http://127.0.0.1:" + port.group(1) + "/"), 20);
        } finally {
            forward.destroy();
        }
        node.kubectl.ok("delete", "pod", "forwarded", "--wait=true");
        assertEquals("prestop\nterm\n", java.nio.file.Files.readString(hostDir.resolve("events")),
                "the preStop hook ran, then SIGTERM");
    }

    @Test
    void aNodeKilledWithSigkillAdoptsItsContainersWhenItComesBack() throws Exception {
        node.apply(dir, "survivor", pod("survivor", "Always", container("c", "i=0; while true; do i=$((i+1)); echo n$i; sleep 0.2; done")));
        awaitPhase("survivor", "Running", 60);
        String containerId = node.jsonpath("pod/survivor", "{.status.containerStatuses[0].containerID}");
        node.process.kill();
        Thread.sleep(2000); // the container goes on printing while no kubelet runs
        node.start();
        Await.until(() -> "True".equals(node.jsonpath("node/" + node.nodeName, "{.status.conditions[?(@.type==\"Ready\")].status}")),
                () -> node.kubectl.must("describe", "node", node.nodeName), 60);
        Thread.sleep(3000);
        assertEquals(containerId, node.jsonpath("pod/survivor", "{.status.containerStatuses[0].containerID}"), "the same container");
        assertEquals("0", node.jsonpath("pod/survivor", "{.status.containerStatuses[0].restartCount}"));
        String[] lines = logs("survivor").strip().split("\n");
        for (int i = 0; i < lines.length; i++) {
            assertEquals("n" + (i + 1), lines[i], "no line lost or repeated across the kill");
        }
        assertTrue(lines.length > 20, "it printed while the node was down: " + lines.length);
        node.kubectl.ok("delete", "pod", "survivor", "--wait=true");
    }

    @Test
    void swappingTheRuntimeKeepsContainersRunningAndManaged() throws Exception {
        node.apply(dir, "before-swap", pod("before-swap", "Always", container("c", "sleep 3600")));
        awaitPhase("before-swap", "Running", 60);
        String containerId = node.jsonpath("pod/before-swap", "{.status.containerStatuses[0].containerID}");
        assertTrue(containerId.startsWith(runtime + "://"), containerId);
        Path jar;
        try (var jars = java.nio.file.Files.list(node.distribution.home.resolve("bundles"))) {
            jar = jars.filter(p -> p.getFileName().toString().startsWith("kubundle-runtime-" + runtime + "-")).findFirst().orElseThrow();
        }
        Distribution.Result swapped = node.distribution.kubundle("bundles", "update", "io.kubundle.runtime." + runtime, jar.toString(),
                "--data-dir", node.data.toString());
        assertEquals(0, swapped.exitCode(), swapped.err());
        node.apply(dir, "after-swap", pod("after-swap", "Always", container("c", "sleep 3600")));
        awaitPhase("after-swap", "Running", 60);
        assertEquals(containerId, node.jsonpath("pod/before-swap", "{.status.containerStatuses[0].containerID}"));
        // still managed: deleting it stops its container through the new instance
        node.kubectl.ok("delete", "pod", "before-swap", "after-swap", "--wait=true", "--timeout=60s");
        // no process of its container is left (each runtime's supervisor names the container id)
        String id = containerId.substring(containerId.indexOf("://") + 3);
        Await.until(() -> {
            try {
                return Distribution.run(java.util.List.of("pgrep", "-f", id)).out().isBlank();
            } catch (Exception e) {
                return false;
            }
        }, () -> "processes of container " + id + " are left", 10);
    }
}
