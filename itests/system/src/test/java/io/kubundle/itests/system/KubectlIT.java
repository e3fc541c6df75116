package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
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
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(port));
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

    /** A Deployment of one nginx container (port 80) labelled {@code app: NAME}, with more {@code metadata} lines. */
    private static String deploymentYaml(String name, int replicas, String metadata) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                %3$sspec:
                  replicas: %2$d
                  selector:
                    matchLabels:
                      app: %1$s
                  template:
                    metadata:
                      labels:
                        app: %1$s
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.27
                        ports:
                        - containerPort: 80
                """.formatted(name, replicas, metadata);
    }

    /** A ConfigMap with a misspelt field, {@code dataa}. */
    private static String typoConfigMap(String name) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: %s
                data:
                  key: value
                dataa:
                  key: value
                """.formatted(name);
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
    void aggregatedDiscoveryInTwoRequestsAndProtobufAnswers() throws Exception {
        // a cache of its own, so that kubectl discovers now: /api and /apis answer everything at once
        Kubectl fresh = new Kubectl(dir.resolve("data/kubeconfig"), dir.resolve("aggregated-cache"));
        Distribution.Result resources = fresh.run("-v=6", "api-resources");
        assertEquals(0, resources.exitCode(), resources.err());
        assertTrue(resources.out().lines().anyMatch(l -> l.matches("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment")),
                resources.out());
        List<String> fetched = resources.err().lines().filter(l -> l.contains(" GET https://"))
                .map(l -> l.replaceAll(".* GET https://[^/]+(/[^? ]*).*", "$1")).toList();
        assertEquals(List.of("/api", "/apis"), fetched, resources.err());

        // kubectl create sends protobuf and takes protobuf first: the answer and an error both decode
        Distribution.Result created = kubectl.run("-v=8", "create", "configmap", "proto-made", "--from-literal=a=b");
        assertEquals(0, created.exitCode(), created.err());
        assertEquals("configmap/proto-made created", created.out().strip());
        String response = created.err().substring(Math.max(0, created.err().indexOf("Response Status: 201")));
        assertTrue(response.contains("Content-Type: application/vnd.kubernetes.protobuf"), "the response was protobuf:\n" + created.err());
        Distribution.Result again = kubectl.run("create", "configmap", "proto-made", "--from-literal=a=b");
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("configmaps \"proto-made\" already exists"), again.err());
        assertEquals("b", json("get", "configmap", "proto-made").at("/data/a").asText());
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
        String described = kubectl.ok("describe", "deployment", "nginx-deployment");
        assertTrue(described.startsWith("Name:                   nginx-deployment\nNamespace:              default\n"), described);
        assertTrue(described.contains("Selector:               app=web_server"), described);
        assertTrue(described.contains("StrategyType:           RollingUpdate"), described);
        assertTrue(described.contains("owner: team-a") || described.contains("owner=team-a"), described);
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
        BlockingQueue<String> lines = Distribution.outputLines(watch);
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

    @Test
    void applyCreateAndReplaceValidateAgainstTheServedOpenApi() throws Exception {
        Path deployment = manifest("validated-deployment.yml", deploymentYaml("validated", 1, ""));
        assertEquals("deployment.apps/validated created", kubectl.ok("apply", "-f", deployment.toString()).strip());
        Path scaled = manifest("validated-deployment-2.yml", Files.readString(deployment).replace("replicas: 1", "replicas: 2"));
        assertTrue(kubectl.ok("apply", "-f", scaled.toString()).strip().endsWith("configured"));
        assertEquals(2, json("get", "deployment", "validated").at("/spec/replicas").asInt());
        assertEquals("deployment.apps/validated replaced", kubectl.ok("replace", "-f", deployment.toString()).strip());
        kubectl.ok("delete", "deployment", "validated");

        Path configMap = manifest("validated-cm.yml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: validated
                data:
                  key: value
                """);
        assertEquals("configmap/validated created", kubectl.ok("create", "-f", configMap.toString()).strip());

        Path nginx = Path.of(getClass().getResource("/tutorial/nginx.yml").toURI());
        Path tutorial = manifest("nginx-validated.yml", Files.readString(nginx).replace("name: nginx-deployment", "name: nginx-validated"));
        String created = kubectl.ok("apply", "-f", tutorial.toString()).strip();
        assertTrue(created.matches("deployment\\.(apps|extensions)/nginx-validated created"), created);
        assertEquals("apps/v1", json("get", "deployment", "nginx-validated").path("apiVersion").asText());
        kubectl.ok("delete", "deployment", "nginx-validated");
    }

    @Test
    void unknownFieldsAreRejectedByTheServer() throws Exception {
        Path typo = manifest("typo-cm.yml", typoConfigMap("typo"));
        Distribution.Result rejected = kubectl.run("apply", "-f", typo.toString());
        assertEquals(1, rejected.exitCode());
        assertTrue(rejected.err().contains("strict decoding error: unknown field \"dataa\""), rejected.err());
        assertEquals(1, kubectl.run("get", "configmap", "typo").exitCode());
    }

    @Test
    void serverSideApplyTracksManagersAndConflicts() throws Exception {
        String yaml = deploymentYaml("ssa", 2, "  labels:\n    tier: web\n");
        assertEquals("deployment.apps/ssa serverside-applied",
                kubectl.ok("apply", "--server-side", "-f", manifest("ssa.yml", yaml).toString()).strip());
        JsonNode created = json("get", "deployment", "ssa", "--show-managed-fields");
        assertEquals(2, created.at("/spec/replicas").asInt());
        // kubectl's one entry (the deployment controller may have written its own beside it)
        JsonNode entry = managerEntry(created.at("/metadata/managedFields"), "kubectl");
        long kubectlEntries = java.util.stream.StreamSupport.stream(created.at("/metadata/managedFields").spliterator(), false)
                .filter(e -> e.path("manager").asText().startsWith("kubectl")).count();
        assertEquals(1, kubectlEntries, created.toString());
        assertEquals("Apply", entry.path("operation").asText());
        assertTrue(entry.at("/fieldsV1/f:spec/f:replicas").isObject(), entry.toString());
        assertTrue(entry.at("/fieldsV1/f:spec/f:template/f:spec/f:containers/k:{\"name\":\"web\"}/f:image").isObject(), entry.toString());

        // re-applying an edit updates, and what the file no longer sets goes
        String three = deploymentYaml("ssa", 3, "");
        assertEquals("deployment.apps/ssa serverside-applied",
                kubectl.ok("apply", "--server-side", "-f", manifest("ssa-3.yml", three).toString()).strip());
        JsonNode updated = json("get", "deployment", "ssa");
        assertEquals(3, updated.at("/spec/replicas").asInt());
        assertTrue(updated.at("/metadata/labels/tier").isMissingNode(), updated.toString());

        // another manager changes the replicas: applying a different value is a conflict kubectl explains
        assertEquals("deployment.apps/ssa scaled", kubectl.ok("scale", "deployment", "ssa", "--replicas=5").strip());
        Path four = manifest("ssa-4.yml", yaml.replace("replicas: 2", "replicas: 4"));
        Distribution.Result conflict = kubectl.run("apply", "--server-side", "-f", four.toString());
        assertEquals(1, conflict.exitCode(), conflict.out());
        assertTrue(conflict.err().contains("Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" "
                + "using apps/v1: .spec.replicas"), conflict.err());
        assertTrue(conflict.err().contains("--force-conflicts"), conflict.err());
        assertEquals(5, json("get", "deployment", "ssa").at("/spec/replicas").asInt());

        // a client-side edit by another manager too
        kubectl.ok("set", "image", "deployment/ssa", "web=nginx:1.28");
        conflict = kubectl.run("apply", "--server-side", "-f", four.toString());
        assertEquals(1, conflict.exitCode(), conflict.out());
        assertTrue(conflict.err().contains("Apply failed with 2 conflicts: conflicts with \"kubectl\" with subresource \"scale\" "
                + "using apps/v1:\n- .spec.replicas\nconflicts with \"kubectl-set\" using apps/v1:\n"
                + "- .spec.template.spec.containers[name=\"web\"].image"), conflict.err());

        assertEquals("deployment.apps/ssa serverside-applied",
                kubectl.ok("apply", "--server-side", "--force-conflicts", "-f", four.toString()).strip());
        JsonNode forced = json("get", "deployment", "ssa", "--show-managed-fields");
        assertEquals(4, forced.at("/spec/replicas").asInt());
        assertEquals("nginx:1.27", forced.at("/spec/template/spec/containers/0/image").asText());
        assertEquals("web", forced.at("/metadata/labels/tier").asText());

        // a second applier setting the same values shares the fields without conflict
        assertEquals("deployment.apps/ssa serverside-applied",
                kubectl.ok("apply", "--server-side", "--field-manager=ci", "-f", four.toString()).strip());
        String managed = kubectl.ok("get", "deployment", "ssa", "-o", "yaml", "--show-managed-fields");
        assertTrue(managed.contains("manager: kubectl\n"), managed);
        assertTrue(managed.contains("manager: ci\n"), managed);
        assertTrue(managed.contains("operation: Apply"), managed);
        assertTrue(!managed.contains("subresource: scale") && !managed.contains("manager: kubectl-set"),
                "forced fields moved to the applier and emptied those entries:\n" + managed);
        assertTrue(!kubectl.ok("get", "deployment", "ssa", "-o", "yaml").contains("managedFields"), "hidden unless asked for");
        kubectl.ok("delete", "deployment", "ssa");
    }

    @Test
    void serverSideApplyTakesOverFromClientSideApply() throws Exception {
        Path file = manifest("csa.yml", deploymentYaml("csa", 1, ""));
        assertEquals("deployment.apps/csa created", kubectl.ok("apply", "-f", file.toString()).strip());
        JsonNode client = json("get", "deployment", "csa", "--show-managed-fields");
        JsonNode clientSide = managerEntry(client.at("/metadata/managedFields"), "kubectl-client-side-apply");
        assertEquals("Update", clientSide.path("operation").asText(), client.toString());

        // kubectl moves the fields client-side apply owned to its server-side manager (a JSON patch of managedFields)
        Path scaled = manifest("csa-2.yml", deploymentYaml("csa", 2, ""));
        assertEquals("deployment.apps/csa serverside-applied", kubectl.ok("apply", "--server-side", "-f", scaled.toString()).strip());
        JsonNode server = json("get", "deployment", "csa", "--show-managed-fields");
        assertEquals(2, server.at("/spec/replicas").asInt());
        JsonNode entries = server.at("/metadata/managedFields");
        JsonNode applied = managerEntry(entries, "kubectl");
        assertEquals("Apply", applied.path("operation").asText());
        assertTrue(applied.at("/fieldsV1/f:spec/f:replicas").isObject(), entries.toString());
        for (JsonNode entry : entries) {
            // kubectl's entries are all Apply now (the annotation goes to "kubectl-last-applied"); the
            // deployment controller's own (status, revision annotation) are its business
            if (entry.path("manager").asText().startsWith("kubectl")) {
                assertEquals("Apply", entry.path("operation").asText(), entries.toString());
            }
        }
        kubectl.ok("delete", "deployment", "csa");
    }

    /** The managedFields entry of a manager (controllers write entries of their own beside kubectl's). */
    private static JsonNode managerEntry(JsonNode entries, String manager) {
        for (JsonNode entry : entries) {
            if (entry.path("manager").asText().equals(manager)) {
                return entry;
            }
        }
        throw new AssertionError("no managedFields entry of " + manager + ": " + entries);
    }

    @Test
    void patchesAreCheckedForUnknownFieldsAndWarnWarns() throws Exception {
        kubectl.ok("apply", "-f", manifest("checked-cm.yml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: checked
                data:
                  key: value
                """).toString());
        // an apply of an existing object is a strategic merge patch (with fieldValidation=Strict)
        Distribution.Result strict = kubectl.run("apply", "-f", manifest("checked-cm-2.yml", typoConfigMap("checked")).toString());
        assertEquals(1, strict.exitCode(), strict.out());
        assertTrue(strict.err().contains("strict decoding error: unknown field \"dataa\""), strict.err());

        Distribution.Result warned = kubectl.run("apply", "--validate=warn", "-f", manifest("warned-cm.yml", typoConfigMap("warned")).toString());
        assertEquals(0, warned.exitCode(), warned.err());
        assertTrue(warned.err().contains("Warning: unknown field \"dataa\""), warned.err());
        kubectl.ok("delete", "configmap", "checked", "warned");
    }

    @Test
    void explainPrintsTheFieldsOfTheServedSchemas() throws Exception {
        String containers = kubectl.ok("explain", "pod.spec.containers");
        assertTrue(containers.contains("image"), containers);
        assertTrue(containers.contains("<[]Container>"), containers);
        String replicas = kubectl.ok("explain", "deployment.spec.replicas");
        assertTrue(replicas.contains("<integer>"), replicas);
        assertTrue(kubectl.ok("explain", "deployments", "--api-version=apps/v1").contains("spec"));
    }

    @Test
    void imperativeCommandsSendProtobuf() throws Exception {
        assertEquals("namespace/proto created", kubectl.ok("create", "namespace", "proto").strip());
        assertEquals("proto", json("get", "namespace", "proto").at("/metadata/name").asText());

        assertEquals("configmap/c created", kubectl.ok("create", "configmap", "c", "-n", "proto", "--from-literal=a=b").strip());
        assertEquals("b", json("get", "configmap", "c", "-n", "proto").at("/data/a").asText());

        assertEquals("secret/s created", kubectl.ok("create", "secret", "generic", "s", "-n", "proto", "--from-literal=p=q").strip());
        JsonNode secret = json("get", "secret", "s", "-n", "proto");
        assertEquals("cQ==", secret.at("/data/p").asText());
        assertEquals("Opaque", secret.at("/type").asText());

        assertEquals("deployment.apps/d created", kubectl.ok("create", "deployment", "d", "-n", "proto", "--image=nginx:1.7.9",
                "--replicas=2").strip());
        JsonNode deployment = json("get", "deployment", "d", "-n", "proto");
        assertEquals(2, deployment.at("/spec/replicas").asInt());
        assertEquals("d", deployment.at("/spec/selector/matchLabels/app").asText());
        assertEquals("nginx:1.7.9", deployment.at("/spec/template/spec/containers/0/image").asText());
        assertTrue(deployment.at("/metadata/creationTimestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
                deployment.toString());

        assertEquals("service/sv created", kubectl.ok("create", "service", "clusterip", "sv", "-n", "proto", "--tcp=80:8080").strip());
        JsonNode service = json("get", "service", "sv", "-n", "proto");
        assertEquals(80, service.at("/spec/ports/0/port").asInt());
        assertTrue(service.at("/spec/ports/0/targetPort").isInt(), service.toString());
        assertEquals(8080, service.at("/spec/ports/0/targetPort").asInt());
        assertEquals("ClusterIP", service.at("/spec/type").asText());

        assertEquals("pod/p created", kubectl.ok("run", "p", "-n", "proto", "--image=busybox").strip());
        JsonNode pod = json("get", "pod", "p", "-n", "proto");
        assertEquals("busybox", pod.at("/spec/containers/0/image").asText());
        assertEquals("p", pod.at("/metadata/labels/run").asText());

        assertEquals("deployment.apps/d image updated",
                kubectl.ok("set", "image", "deployment/d", "-n", "proto", "nginx=nginx:1.9.1").strip());
        JsonNode updated = json("get", "deployment", "d", "-n", "proto");
        assertEquals("nginx:1.9.1", updated.at("/spec/template/spec/containers/0/image").asText());
        assertEquals(2, updated.at("/spec/replicas").asInt());

        assertEquals("service/ex exposed", kubectl.ok("expose", "deployment", "d", "-n", "proto", "--name=ex", "--port=81",
                "--target-port=http").strip());
        JsonNode exposed = json("get", "service", "ex", "-n", "proto");
        assertEquals(81, exposed.at("/spec/ports/0/port").asInt());
        assertEquals("http", exposed.at("/spec/ports/0/targetPort").asText());
        assertEquals("d", exposed.at("/spec/selector/app").asText());

        assertEquals("job.batch/j created", kubectl.ok("create", "job", "j", "-n", "proto", "--image=busybox").strip());
        assertEquals("busybox", json("get", "job", "j", "-n", "proto").at("/spec/template/spec/containers/0/image").asText());
    }
}
