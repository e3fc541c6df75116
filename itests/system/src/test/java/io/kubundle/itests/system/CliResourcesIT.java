package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubundle get/apply/create/delete/describe/label/annotate/patch/explain} against
 * {@code kubundle up}, next to the real kubectl: the same tables, messages and exit codes.
 */
class CliResourcesIT {
    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static Kubectl kubectl;
    static Path kubeconfig;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        Path data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()));
        kubeconfig = data.resolve("kubeconfig");
        kubectl = new Kubectl(kubeconfig, dir.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (up != null) {
            up.close();
        }
    }

    private static Distribution.Result kb(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
        return distribution.kubundle(all.toArray(String[]::new));
    }

    private static String ok(String... args) throws Exception {
        Distribution.Result result = kb(args);
        assertEquals(0, result.exitCode(), "kubundle " + String.join(" ", args) + ": " + result.err() + result.out());
        return result.out();
    }

    private static Path manifest(String name, String yaml) throws Exception {
        return Files.writeString(dir.resolve(name), yaml);
    }

    private static Path nginx() throws Exception {
        return Path.of(CliResourcesIT.class.getResource("/tutorial/nginx.yml").toURI());
    }

    /**
     * Ours and kubectl's output are the same, but for ages, which may tick between the two runs
     * (each of ours starts a JVM and reads discovery).
     */
    private static void sameAsKubectl(String... args) throws Exception {
        Distribution.Result ours = kb(args);
        Distribution.Result real = kubectl.run(args);
        assertEquals(real.exitCode(), ours.exitCode(), String.join(" ", args) + ": " + ours.err());
        assertEquals(real.err(), ours.err(), String.join(" ", args));
        assertEquals(withoutAges(real.out()), withoutAges(ours.out()), "kubundle and kubectl differ for " + String.join(" ", args));
    }

    private static String withoutAges(String table) {
        return table.replaceAll("\\b\\d+[smhdy](\\d+[smh])?\\b", "#").replaceAll(" +", " ");
    }

    @Test
    void theTutorialsDeploymentFromApplyToDelete() throws Exception {
        assertEquals("deployment.apps/nginx-deployment created\n", ok("apply", "-f", nginx().toString()));
        assertEquals("deployment.apps/nginx-deployment unchanged\n", ok("apply", "-f", nginx().toString()));
        JsonNode stored = JSON.readTree(ok("get", "deployment", "nginx-deployment", "-o", "json"));
        assertEquals("apps/v1", stored.path("apiVersion").asText());
        assertTrue(stored.at("/metadata/annotations").path("kubectl.kubernetes.io/last-applied-configuration").asText()
                .contains("\"replicas\":2"), stored.toString());

        Path edited = manifest("nginx-3.yml", Files.readString(nginx()).replace("replicas: 2", "replicas: 3"));
        assertEquals("deployment.apps/nginx-deployment configured\n", ok("apply", "-f", edited.toString()));
        assertEquals(3, JSON.readTree(ok("get", "deploy/nginx-deployment", "-o", "json")).at("/spec/replicas").asInt());
        assertEquals("deployment.apps/nginx-deployment unchanged\n", ok("apply", "-f", edited.toString()));

        sameAsKubectl("get", "deployments");
        sameAsKubectl("get", "deploy", "nginx-deployment", "-o", "wide");
        sameAsKubectl("get", "deployment,namespaces");
        sameAsKubectl("get", "namespaces");
        sameAsKubectl("get", "ns", "default", "kube-system");
        sameAsKubectl("get", "pods");
        sameAsKubectl("get", "pods", "-A");
        sameAsKubectl("get", "deployments", "-A");
        sameAsKubectl("get", "deployments.apps", "-o", "name");
        sameAsKubectl("get", "deployments", "-l", "app=web_server", "-o", "name");
        sameAsKubectl("get", "pod", "nope");
        String yaml = ok("get", "deploy", "nginx-deployment", "-o", "yaml");
        assertTrue(yaml.startsWith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"), yaml);
        assertTrue(yaml.contains("\n  replicas: 3\n"), yaml);

        assertEquals("deployment.apps/nginx-deployment labeled\n", ok("label", "deployment", "nginx-deployment", "tier=web"));
        Distribution.Result overwrite = kb("label", "deploy", "nginx-deployment", "tier=db");
        assertEquals(1, overwrite.exitCode());
        assertEquals("error: 'tier' already has a value (web), and --overwrite is false\n", overwrite.err());
        assertEquals("deployment.apps/nginx-deployment labeled\n",
                ok("label", "deploy/nginx-deployment", "tier=db", "--overwrite"));
        assertEquals("deployment.apps/nginx-deployment annotated\n", ok("annotate", "deploy", "nginx-deployment", "owner=team-a"));
        assertEquals("deployment.apps/nginx-deployment patched\n",
                ok("patch", "deploy", "nginx-deployment", "--type", "merge", "-p", "{\"spec\":{\"replicas\":4}}"));
        assertEquals("deployment.apps/nginx-deployment patched (no change)\n",
                ok("patch", "deploy", "nginx-deployment", "--type", "merge", "-p", "{\"spec\":{\"replicas\":4}}"));
        assertEquals("deployment.apps/nginx-deployment patched\n", ok("patch", "deploy", "nginx-deployment", "--type", "json",
                "-p", "[{\"op\":\"add\",\"path\":\"/spec/minReadySeconds\",\"value\":5}]"));
        assertEquals("deployment.apps/nginx-deployment patched\n",
                ok("patch", "deploy", "nginx-deployment", "-p", "{\"metadata\":{\"labels\":{\"patched\":\"yes\"}}}"));
        JsonNode patched = JSON.readTree(kubectl.ok("get", "deployment", "nginx-deployment", "-o", "json"));
        assertEquals("db", patched.at("/metadata/labels/tier").asText());
        assertEquals("team-a", patched.at("/metadata/annotations/owner").asText());
        assertEquals("yes", patched.at("/metadata/labels/patched").asText());
        assertEquals(4, patched.at("/spec/replicas").asInt());
        assertEquals(5, patched.at("/spec/minReadySeconds").asInt());
        assertEquals("deployment.apps/nginx-deployment unlabeled\n", ok("label", "deploy", "nginx-deployment", "patched-"));

        String described = ok("describe", "deployment", "nginx-deployment");
        for (String line : List.of("Name:                   nginx-deployment", "Namespace:              default",
                "Labels:                 tier=db", "Annotations:            ",
                "Selector:               app=web_server", "MinReadySeconds:        5", "  Containers:", "   nginx:",
                "    Image:  ", "Events:")) {
            assertTrue(described.lines().anyMatch(l -> l.startsWith(line)), line + " missing from:\n" + described);
        }
        assertTrue(described.matches("(?s).*\\n    Image: +nginx:1.7.7\\n.*"), described);
        // the deployment controller's revision annotation is listed too, sorted before ours
        assertTrue(described.matches("(?s).*\\nAnnotations: +(\\S+: \\S+\\n {24})*owner: team-a\\n.*"), described);
        assertTrue(ok("describe", "ns", "default").startsWith("Name:         default\n"));

        assertEquals("deployment.apps \"nginx-deployment\" deleted\n", ok("delete", "deployment", "nginx-deployment"));
        Distribution.Result gone = kb("get", "deployment", "nginx-deployment");
        assertEquals(1, gone.exitCode());
        assertEquals("Error from server (NotFound): deployments.apps \"nginx-deployment\" not found\n", gone.err());
        Distribution.Result again = kb("delete", "deploy", "nginx-deployment");
        assertEquals(1, again.exitCode());
        assertEquals("Error from server (NotFound): deployments.apps \"nginx-deployment\" not found\n", again.err());
    }

    @Test
    void multiDocumentFilesCreateAndDelete() throws Exception {
        Path file = manifest("set.yml", """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: cli
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: settings
                  namespace: cli
                  labels: {app: cli}
                data:
                  a: b
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: more
                  namespace: cli
                  labels: {app: cli}
                """);
        assertEquals("namespace/cli created\nconfigmap/settings created\nconfigmap/more created\n", ok("create", "-f", file.toString()));
        sameAsKubectl("create", "-f", file.toString());
        sameAsKubectl("get", "cm", "-n", "cli");
        sameAsKubectl("get", "configmaps,namespaces", "-n", "cli", "-l", "app=cli");
        String described = ok("describe", "cm", "settings", "-n", "cli");
        assertTrue(described.contains("Data\n====\na:\n----\nb\n"), described);
        assertEquals("configmap \"more\" deleted\nconfigmap \"settings\" deleted\n", ok("delete", "cm", "-l", "app=cli", "-n", "cli",
                "--grace-period=0"));
        sameAsKubectl("get", "cm", "-n", "cli");
    }

    @Test
    void explainMatchesKubectl() throws Exception {
        sameAsKubectl("explain", "pods");
        sameAsKubectl("explain", "pod.spec.containers");
        sameAsKubectl("explain", "deployment.spec.replicas");
        sameAsKubectl("explain", "svc.spec.ports.targetPort");
        sameAsKubectl("explain", "deployments", "--api-version=apps/v1");
    }

    @Test
    void errorsAsKubectlPrintsThem() throws Exception {
        Distribution.Result unknown = kb("get", "foo");
        assertEquals(1, unknown.exitCode());
        assertEquals("error: the server doesn't have a resource type \"foo\"\n", unknown.err());

        Path bad = manifest("bad.yml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: bad
                spec:
                  selector:
                    matchLabels: {app: x}
                  template:
                    metadata:
                      labels: {app: x}
                    spec:
                      containers:
                      - name: c
                """);
        Distribution.Result invalid = kb("apply", "-f", bad.toString());
        assertEquals(1, invalid.exitCode());
        assertEquals("The Deployment \"bad\" is invalid: spec.template.spec.containers[0].image: Required value\n", invalid.err());
        sameAsKubectl("create", "-f", bad.toString());

        Path configMap = manifest("twice.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\n");
        assertEquals("configmap/twice created\n", ok("create", "-f", configMap.toString()));
        Distribution.Result exists = kb("create", "-f", configMap.toString());
        assertEquals(1, exists.exitCode());
        assertEquals("Error from server (AlreadyExists): error when creating \"" + configMap + "\": configmaps \"twice\" already"
                + " exists\n", exists.err());
        sameAsKubectl("create", "-f", configMap.toString());

        Distribution.Result noKubeconfig = distribution.kubundle("get", "pods", "--kubeconfig", dir.resolve("none").toString());
        assertEquals(1, noKubeconfig.exitCode());
        assertTrue(noKubeconfig.err().startsWith("error: no kubeconfig at "), noKubeconfig.err());
        Distribution.Result badFlag = kb("get", "pods", "-o", "table");
        assertEquals(1, badFlag.exitCode());
        assertTrue(badFlag.err().startsWith("error: unable to match a printer"), badFlag.err());
    }

    @Test
    void watchPrintsRowsAsTheyChange() throws Exception {
        ok("apply", "-f", manifest("watched.yml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: watched\n").toString());
        List<String> command = new ArrayList<>(List.of(distribution.home.resolve("bin/kubundle").toString(), "get", "configmaps",
                "-n", "watched", "-w", "--kubeconfig", kubeconfig.toString()));
        Process watch = new ProcessBuilder(command).redirectErrorStream(true).start();
        BlockingQueue<String> lines = Distribution.outputLines(watch);
        try {
            Thread.sleep(3000);
            ok("apply", "-f", manifest("watched-cm.yml", """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: watched
                      namespace: watched
                    data:
                      a: b
                    """).toString());
            String header = lines.poll(20, TimeUnit.SECONDS);
            assertTrue(header != null && header.matches("NAME\\s+DATA\\s+AGE"), "header: " + header + " " + lines);
            String added = lines.poll(20, TimeUnit.SECONDS);
            assertTrue(added != null && added.matches("watched\\s+1\\s+\\S+"), "row: " + added);
            ok("delete", "configmap", "watched", "-n", "watched");
            String deleted = lines.poll(20, TimeUnit.SECONDS);
            assertTrue(deleted != null && deleted.matches("watched\\s+1\\s+\\S+"), "row: " + deleted);
        } finally {
            watch.destroy();
            watch.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
