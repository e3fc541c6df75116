package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The real kubectl against {@code kubundle up}: discovery, the tutorial's YAML, patches, watch, errors. */
class KubectlIT {
    @TempDir
    static Path dir;

    static KubundleProcess up;
    static Kubectl kubectl;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startUp() throws Exception {
        Distribution distribution = Distribution.copyInto(dir);
        int port = RolesIT.freePort();
        Path data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "up", "--port", Integer.toString(port));
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (up != null) {
            up.close();
        }
    }

    private static Path manifest(String name, String yaml) throws Exception {
        return Files.writeString(dir.resolve(name), yaml);
    }

    private static JsonNode json(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "-o";
        all[args.length + 1] = "json";
        return JSON.readTree(kubectl.ok(all));
    }

    @Test
    void discoveryAndHealth() throws Exception {
        assertEquals("ok", kubectl.ok("get", "--raw", "/readyz"));
        String versions = kubectl.ok("api-versions");
        for (String version : List.of("v1", "apps/v1", "batch/v1", "coordination.k8s.io/v1", "extensions/v1beta1")) {
            assertTrue(versions.lines().anyMatch(version::equals), version + " missing from:\n" + versions);
        }
        String resources = kubectl.ok("api-resources");
        assertTrue(resources.lines().anyMatch(l -> l.matches("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment")), resources);
        assertTrue(resources.lines().anyMatch(l -> l.matches("pods\\s+po\\s+v1\\s+true\\s+Pod")), resources);
        String namespaces = kubectl.ok("get", "namespaces");
        assertTrue(namespaces.startsWith("NAME"), namespaces);
        for (String namespace : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            assertTrue(namespaces.lines().anyMatch(l -> l.matches(namespace + "\\s+Active\\s+\\S+")), namespaces);
        }
        assertTrue(kubectl.ok("cluster-info").contains("is running at https://127.0.0.1:"));
    }

    @Test
    void theTutorialsDeploymentAsWritten() throws Exception {
        Path nginx = Path.of(getClass().getResource("/tutorial/nginx.yml").toURI());
        String created = kubectl.ok("apply", "--validate=false", "-f", nginx.toString());
        assertEquals("deployment.apps/nginx-deployment created", created.strip());
        JsonNode stored = json("get", "deployment", "nginx-deployment");
        assertEquals("apps/v1", stored.path("apiVersion").asText());
        assertEquals("web_server", stored.at("/spec/selector/matchLabels/app").asText());
        assertEquals(2, stored.at("/spec/replicas").asInt());

        String table = kubectl.ok("get", "deployment,namespaces");
        assertTrue(table.contains("deployment.apps/nginx-deployment"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("NAME") && l.contains("READY") && l.contains("UP-TO-DATE")), table);

        // apply again after an edit: kubectl computes the patch from last-applied
        Path edited = manifest("nginx-3.yml", Files.readString(nginx).replace("replicas: 2", "replicas: 3"));
        // kubectl names the group of the file's apiVersion, as it did against clusters that served extensions/v1beta1
        String configured = kubectl.ok("apply", "--validate=false", "-f", edited.toString()).strip();
        assertTrue(configured.matches("deployment\\.(apps|extensions)/nginx-deployment configured"), configured);
        assertEquals(3, json("get", "deployment", "nginx-deployment").at("/spec/replicas").asInt());

        assertEquals("deployment.apps/nginx-deployment labeled", kubectl.ok("label", "deployment", "nginx-deployment", "tier=web").strip());
        assertEquals("deployment.apps/nginx-deployment annotated",
                kubectl.ok("annotate", "deployment", "nginx-deployment", "owner=team-a").strip());
        kubectl.ok("patch", "deployment", "nginx-deployment", "--type=merge", "-p", "{\"spec\":{\"replicas\":4}}");
        kubectl.ok("patch", "deployment", "nginx-deployment", "--type=json", "-p",
                "[{\"op\":\"add\",\"path\":\"/spec/minReadySeconds\",\"value\":5}]");
        kubectl.ok("patch", "deployment", "nginx-deployment", "-p", "{\"metadata\":{\"labels\":{\"patched\":\"yes\"}}}");
        JsonNode patched = json("get", "deployment", "nginx-deployment");
        assertEquals("web", patched.at("/metadata/labels/tier").asText());
        assertEquals("team-a", patched.at("/metadata/annotations/owner").asText());
        assertEquals("yes", patched.at("/metadata/labels/patched").asText());
        assertEquals(4, patched.at("/spec/replicas").asInt());
        assertEquals(5, patched.at("/spec/minReadySeconds").asInt());
        assertTrue(kubectl.ok("get", "deployments", "-l", "tier=web", "-o", "name").contains("nginx-deployment"));
        assertEquals("", kubectl.ok("get", "deployments", "-l", "tier=db", "-o", "name").strip());

        assertEquals("deployment.apps \"nginx-deployment\" deleted", kubectl.ok("delete", "deployment", "nginx-deployment").strip());
        Distribution.Result gone = kubectl.run("get", "deployment", "nginx-deployment");
        assertEquals(1, gone.exitCode());
        assertTrue(gone.err().contains("deployments.apps \"nginx-deployment\" not found"), gone.err());
    }

    @Test
    void watchStreamsChanges() throws Exception {
        // (create namespace would send protobuf, which the server does not read yet)
        kubectl.ok("apply", "--validate=false", "-f", manifest("watched-ns.yml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: watched\n").toString());
        Process watch = kubectl.start("get", "configmaps", "-n", "watched", "-w", "--output-watch-events");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (Exception e) {
                // the process was stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            Thread.sleep(1000);
            kubectl.ok("apply", "--validate=false", "-f", manifest("cm.yml", """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: watched
                      namespace: watched
                    data:
                      a: b
                    """).toString());
            kubectl.ok("delete", "configmap", "watched", "-n", "watched");
            assertTrue(lines.poll(20, TimeUnit.SECONDS).matches("EVENT\\s+NAME\\s+DATA\\s+AGE"), "the header first");
            assertTrue(lines.poll(20, TimeUnit.SECONDS).matches("ADDED\\s+watched\\s+1\\s+\\S+"));
            assertTrue(lines.poll(20, TimeUnit.SECONDS).matches("DELETED\\s+watched\\s+1\\s+\\S+"));
        } finally {
            watch.destroy();
        }
    }

    @Test
    void deletingANamespaceRemovesWhatIsInIt() throws Exception {
        kubectl.ok("apply", "--validate=false", "-f", manifest("ns.yml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: doomed
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: inside
                  namespace: doomed
                data:
                  a: b
                """).toString());
        assertTrue(kubectl.ok("get", "configmaps", "-n", "doomed", "-o", "name").contains("configmap/inside"));
        assertEquals("namespace \"doomed\" deleted", kubectl.ok("delete", "namespace", "doomed", "--wait=true").strip());
        Distribution.Result namespace = kubectl.run("get", "namespace", "doomed");
        assertEquals(1, namespace.exitCode(), namespace.out());
        Distribution.Result inside = kubectl.run("get", "configmap", "inside", "-n", "doomed");
        assertNotEquals(0, inside.exitCode(), inside.out());
    }

    @Test
    void badInputGetsAStatusWithTheReason() throws Exception {
        Distribution.Result invalid = kubectl.run("apply", "--validate=false", "-f", manifest("bad.yml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: Bad_Name
                spec:
                  selector:
                    matchLabels: {app: x}
                  template:
                    metadata:
                      labels: {app: x}
                    spec:
                      containers:
                      - name: c
                """).toString());
        assertEquals(1, invalid.exitCode());
        assertTrue(invalid.err().contains("The Deployment \"Bad_Name\" is invalid"), invalid.err());
        assertTrue(invalid.err().contains("spec.template.spec.containers[0].image: Required value"), invalid.err());

        Distribution.Result noNamespace = kubectl.run("get", "configmaps", "-n", "nowhere", "-o", "name");
        assertEquals(0, noNamespace.exitCode(), "listing an empty namespace is not an error");

        kubectl.ok("apply", "--validate=false", "-f", manifest("cm2.yml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: versioned
                data: {a: b}
                """).toString());
        JsonNode stale = json("get", "configmap", "versioned");
        kubectl.ok("patch", "configmap", "versioned", "--type=merge", "-p", "{\"data\":{\"a\":\"c\"}}");
        Path staleFile = Files.writeString(dir.resolve("stale.json"), stale.toString());
        Distribution.Result conflict = kubectl.run("replace", "--validate=false", "-f", staleFile.toString());
        assertEquals(1, conflict.exitCode());
        assertTrue(conflict.err().contains("the object has been modified"), conflict.err());
    }
}
