package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "running applications" part of the Kubernetes tutorial (shared/seed/kubernetes-tutorial.md)
 * and its rolling update, in its order, with the real kubectl against {@code up} and a cluster
 * drawn as the tutorial draws it: a master registered by {@code sim-nodes --control-plane} with the
 * tutorial's older {@code node-role.kubernetes.io/master:NoSchedule} taint too, and two workers.
 * Nothing is pinned to a node: the scheduler places every pod. The CronJob is created first and
 * checked late, so its minute passes while the other steps run; the node lifecycle runs with a
 * 5 s grace period and the nginx pods tolerate a lost node for 2 s, so failover takes seconds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TutorialIT {
    private static final String MASTER = "k8s-master-0";
    private static final String NODE1 = "node-0";
    private static final String NODE2 = "node-1";
    private static final String MASTER_TAINT = "node-role.kubernetes.io/master";
    private static final String CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane";

    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static KubundleProcess master;
    static KubundleProcess workers;
    static Kubectl kubectl;
    static Instant cronJobCreated;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        Files.writeString(simConfig(), "leaseRenewSeconds = 1\n");
        Path data = dir.resolve("data");
        String kubeconfig = data.resolve("kubeconfig").toString();
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()),
                "--node-monitor-grace-period", "5s");
        master = KubundleProcess.start(distribution, dir.resolve("sim-master"), "sim-nodes", "--kubeconfig", kubeconfig,
                "--count", "1", "--prefix", "k8s-master", "--control-plane",
                "--register-with-taints", MASTER_TAINT + "=:NoSchedule", "--node-labels", MASTER_TAINT + "=");
        workers = KubundleProcess.start(distribution, dir.resolve("sim-workers"), "sim-nodes", "--kubeconfig", kubeconfig,
                "--count", "2", "--prefix", "node");
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
        await(() -> kubectl("get", "nodes", "--no-headers").lines().filter(line -> line.contains(" Ready ")).count() == 3,
                "three Ready nodes", 60);
        // the tutorial's CronJob fires every minute: made now, looked at after the other steps
        apply("cronjob.yml", """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: hello}
                spec:
                  schedule: "*/1 * * * *"
                  jobTemplate:
                    spec:
                      template:
                        metadata: {annotations: {sim.kubundle.io/run-seconds: "1"}}
                        spec:
                          restartPolicy: OnFailure
                          containers: [{name: hello, image: busybox, command: [sh, -c, "echo Hello"]}]
                """);
        cronJobCreated = Instant.now();
    }

    @AfterAll
    static void stop() throws Exception {
        for (KubundleProcess process : new KubundleProcess[] {workers, master, up}) {
            if (process != null) {
                process.close();
            }
        }
    }

    private static Path simConfig() {
        return distribution.home.resolve("etc/io.kubundle.runtime.sim.cfg");
    }

    private static void await(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        Await.until(condition, () -> what + "; pods:\n" + kubectl("get", "pods", "-o", "wide"), seconds);
    }

    private static String kubectl(String... args) {
        return kubectl.must(args);
    }

    private static String apply(String file, String yaml) throws Exception {
        return kubectl("apply", "-f", Files.writeString(dir.resolve(file), yaml).toString());
    }

    /** A pod as kubectl lists it. */
    record Pod(String name, String node, String phase, boolean deleting, String image, Instant created) {
        boolean live() {
            return !deleting;
        }
    }

    private static List<Pod> pods(String selector) {
        String out = kubectl("get", "pods", "-l", selector, "-o", "jsonpath={range .items[*]}{.metadata.name}|{.spec.nodeName}|"
                + "{.status.phase}|{.metadata.deletionTimestamp}|{.spec.containers[0].image}|{.metadata.creationTimestamp}{\"\\n\"}{end}");
        return out.lines().filter(line -> !line.isBlank()).map(line -> line.split("\\|", -1))
                .map(f -> new Pod(f[0], f[1], f[2], !f[3].isEmpty(), f[4], Instant.parse(f[5]))).toList();
    }

    private static List<Pod> live(String selector) {
        return pods(selector).stream().filter(Pod::live).toList();
    }

    /** node -> how many live pods of the selector run there. */
    private static Map<String, Long> perNode(String selector) {
        return live(selector).stream().filter(pod -> pod.phase().equals("Running"))
                .collect(Collectors.groupingBy(Pod::node, TreeMap::new, Collectors.counting()));
    }

    private static boolean running(String selector, int count) {
        List<Pod> pods = live(selector);
        return pods.size() == count && pods.stream().allMatch(pod -> pod.phase().equals("Running"));
    }

    /** The tutorial's nginx.yml, in apps/v1; its pods tolerate a lost node for 2 s rather than 300. */
    private static String nginx(int replicas, String image) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: nginx-deployment
                spec:
                  replicas: %d
                  selector:
                    matchLabels: {app: web_server}
                  template:
                    metadata:
                      labels:
                        app: web_server
                    spec:
                      containers:
                      - name: nginx
                        image: %s
                      tolerations:
                      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
                      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
                """.formatted(replicas, image);
    }

    private static String deployment(String name, int replicas, String podSpec) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: %1$s}
                spec:
                  replicas: %2$d
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                %3$s      containers: [{name: nginx, image: "nginx:1.7.9"}]
                """.formatted(name, replicas, podSpec);
    }

    private static void awaitFailedScheduling(String selector, String message) throws InterruptedException {
        await(() -> live(selector).stream().filter(pod -> pod.node().isEmpty())
                .anyMatch(pod -> kubectl("describe", "pod", pod.name()).contains(message)),
                "a pending pod of " + selector + " says FailedScheduling: " + message, 30);
    }

    @Test
    @Order(1)
    void theClusterHasAMasterAndTwoWorkers() {
        String nodes = kubectl("get", "nodes");
        // sorted, as kubectl shows them
        assertTrue(nodes.lines().anyMatch(line -> line.matches(MASTER + "\\s+Ready\\s+control-plane,master\\s.*")),
                nodes);
        assertTrue(nodes.lines().anyMatch(line -> line.matches(NODE1 + "\\s+Ready\\s+<none>\\s.*")), nodes);
        assertEquals(MASTER_TAINT + "::NoSchedule " + CONTROL_PLANE_TAINT + "::NoSchedule", kubectl("get", "node", MASTER, "-o",
                "jsonpath={range .spec.taints[*]}{.key}:{.value}:{.effect} {end}").strip());
        assertEquals("", kubectl("get", "node", NODE2, "-o", "jsonpath={.spec.taints}"));
    }

    @Test
    @Order(2)
    void applyCreatesTheDeploymentItsReplicaSetAndPodsOnTheWorkers() throws Exception {
        assertEquals("deployment.apps/nginx-deployment created\n", apply("nginx.yml", nginx(2, "nginx:1.7.9")));
        await(() -> running("app=web_server", 2), "two nginx pods run", 30);
        await(() -> kubectl("get", "deployment", "nginx-deployment", "--no-headers").matches("nginx-deployment\\s+2/2\\s+2\\s+2\\s.*\\n"),
                "kubectl get deployment shows 2/2", 30);
        String rs = kubectl("get", "rs", "-l", "app=web_server", "-o", "jsonpath={.items[0].metadata.name}");
        assertTrue(rs.matches("nginx-deployment-[bcdfghjklmnpqrstvwxz2456789]+"), rs);
        String describe = kubectl("describe", "deployment", "nginx-deployment");
        assertTrue(describe.contains("Scaled up replica set " + rs + " to 2"), describe);
        assertTrue(describe.matches("(?s).*Replicas:\\s+2 desired \\| 2 updated \\| 2 total \\| 2 available \\| 0 unavailable.*"), describe);
        assertTrue(describe.matches("(?s).*Image:\\s+nginx:1\\.7\\.9.*"), describe);
        for (Pod pod : live("app=web_server")) {
            assertTrue(pod.name().matches(rs + "-[bcdfghjklmnpqrstvwxz2456789]{5}"), pod.name());
            assertTrue(Set.of(NODE1, NODE2).contains(pod.node()), "the scheduler keeps pods off the master: " + pod);
            assertTrue(kubectl("describe", "pod", pod.name()).contains("Successfully assigned default/" + pod.name() + " to " + pod.node()));
        }
    }

    @Test
    @Order(3)
    void scalingIsEditingReplicasAndApplyingAgain() throws Exception {
        assertEquals("deployment.apps/nginx-deployment configured\n", apply("nginx.yml", nginx(5, "nginx:1.7.9")));
        await(() -> running("app=web_server", 5), "five nginx pods", 30);
        assertEquals(Set.of(NODE1, NODE2), perNode("app=web_server").keySet(), "spread over both workers, none on the master");
        apply("nginx.yml", nginx(3, "nginx:1.7.9"));
        await(() -> running("app=web_server", 3), "three nginx pods", 30);
        assertEquals(1, kubectl("get", "rs", "-l", "app=web_server", "--no-headers").lines().count(), "scaling is not a new revision");
    }

    @Test
    @Order(4)
    void podsGoOnTheMasterOnlyWhileItsTaintsAreRemoved() throws Exception {
        apply("on-master.yml", deployment("on-master", 1, "      nodeSelector: {kubernetes.io/hostname: " + MASTER + "}\n"));
        awaitFailedScheduling("app=on-master", "1 node(s) had untolerated taint {" + MASTER_TAINT + ": }, "
                + "2 node(s) didn't match Pod's node affinity/selector.");

        assertEquals("node/" + MASTER + " untainted\n", kubectl("taint", "node", MASTER, MASTER_TAINT + "-"));
        // kubeadm's current taint still keeps pods off, as on a cluster of 1.24, which had both
        awaitFailedScheduling("app=on-master", "1 node(s) had untolerated taint {" + CONTROL_PLANE_TAINT + ": }");
        assertEquals("", live("app=on-master").get(0).node());
        kubectl("taint", "node", MASTER, CONTROL_PLANE_TAINT + "-");
        await(() -> perNode("app=on-master").equals(Map.of(MASTER, 1L)), "with no taint left the pod runs on the master", 30);
        apply("nginx.yml", nginx(6, "nginx:1.7.9"));
        await(() -> running("app=web_server", 6), "six nginx pods", 30);
        long onMaster = perNode("app=web_server").getOrDefault(MASTER, 0L);
        assertTrue(onMaster > 0, "scaled up, nginx spreads to the master too: " + perNode("app=web_server"));

        // the tutorial's restore: the shell makes master="":NoSchedule into master=:NoSchedule
        assertEquals("node/" + MASTER + " tainted\n", kubectl("taint", "node", MASTER, MASTER_TAINT + "=:NoSchedule"));
        kubectl("scale", "deployment", "on-master", "--replicas=2");
        awaitFailedScheduling("app=on-master", "1 node(s) had untolerated taint {" + MASTER_TAINT + ": }");
        apply("nginx.yml", nginx(9, "nginx:1.7.9"));
        await(() -> running("app=web_server", 9), "nine nginx pods", 30);
        assertEquals(onMaster, perNode("app=web_server").get(MASTER), "no new pod on the master: " + perNode("app=web_server"));
        assertEquals(Map.of(MASTER, 1L), perNode("app=on-master"), "NoSchedule leaves the pods that run there alone");
        assertEquals(1, live("app=on-master").stream().filter(pod -> pod.node().isEmpty()).count());

        kubectl("delete", "deployment", "on-master");
        apply("nginx.yml", nginx(3, "nginx:1.7.9"));
        await(() -> running("app=web_server", 3) && live("app=on-master").isEmpty(), "back to three nginx pods", 30);
    }

    @Test
    @Order(5)
    void aNodeSelectorFollowsTheNodesLabel() throws Exception {
        assertEquals("node/" + NODE1 + " labeled\n", kubectl("label", "node", NODE1, "disktype=ssd"));
        apply("ssd.yml", deployment("ssd", 2, "      nodeSelector: {disktype: ssd}\n"));
        await(() -> perNode("app=ssd").equals(Map.of(NODE1, 2L)), "both pods on the ssd node", 30);

        assertEquals("node/" + NODE1 + " unlabeled\n", kubectl("label", "node", NODE1, "disktype-"));
        kubectl("scale", "deployment", "ssd", "--replicas=3");
        awaitFailedScheduling("app=ssd", "0/3 nodes are available: 1 node(s) had untolerated taint {" + MASTER_TAINT + ": }, "
                + "2 node(s) didn't match Pod's node affinity/selector.");
        assertEquals("Pending", live("app=ssd").stream().filter(pod -> pod.node().isEmpty()).findFirst().orElseThrow().phase());
        assertEquals(Map.of(NODE1, 2L), perNode("app=ssd"), "the pods placed before keep running");
        kubectl("delete", "deployment", "ssd");
    }

    @Test
    @Order(6)
    void aDaemonSetRunsOnEveryNodeItMay() throws Exception {
        String daemonSet = """
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: %1$s}
                spec:
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                %2$s      containers: [{name: agent, image: "fluentd:1"}]
                ---
                """;
        apply("daemonsets.yml", daemonSet.formatted("node-exporter", "")
                + daemonSet.formatted("log-agent", "      tolerations: [{key: " + MASTER_TAINT + ", operator: Exists, effect: NoSchedule}]\n"));
        await(() -> perNode("app=node-exporter").equals(Map.of(NODE1, 1L, NODE2, 1L)), "one pod per worker, none on the master", 30);
        await(() -> perNode("app=log-agent").equals(Map.of(MASTER, 1L, NODE1, 1L, NODE2, 1L)),
                "tolerating the master's taint, one pod on each of the three nodes", 30);
        await(() -> {
            String table = kubectl("get", "ds", "--no-headers");
            return table.lines().anyMatch(line -> line.matches("log-agent\\s+3\\s+3\\s+3\\s.*"))
                    && table.lines().anyMatch(line -> line.matches("node-exporter\\s+2\\s+2\\s+2\\s.*"));
        }, "kubectl get ds: DESIRED, CURRENT and READY are 3 and 2", 30);
        kubectl("delete", "ds", "node-exporter", "log-agent");
    }

    @Test
    @Order(7)
    void aParallelJobRunsItsPodsInPairs() throws Exception {
        apply("job.yml", """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: myjob}
                spec:
                  completions: 6
                  parallelism: 2
                  template:
                    metadata: {annotations: {sim.kubundle.io/run-seconds: "4"}}
                    spec:
                      restartPolicy: Never
                      containers: [{name: hello, image: busybox, command: [echo, "hello k8s job!"]}]
                """);
        await(() -> {
            List<Pod> pods = pods("job-name=myjob");
            assertTrue(pods.stream().filter(pod -> !pod.phase().equals("Succeeded")).count() <= 2, "two at a time: " + pods);
            return kubectl("get", "job", "myjob", "-o", "jsonpath={.status.conditions[?(@.type=='Complete')].status}").equals("True");
        }, "the Job completes", 60);
        String table = kubectl("get", "job", "myjob");
        assertTrue(table.lines().skip(1).anyMatch(line -> line.matches("myjob\\s+(Complete\\s+)?6/6\\s.*")), table);
        List<Pod> pods = pods("job-name=myjob");
        assertEquals(6, pods.size(), pods.toString());
        assertTrue(pods.stream().allMatch(pod -> pod.phase().equals("Succeeded") && Set.of(NODE1, NODE2).contains(pod.node())),
                pods.toString());
        // what AGE shows: three pairs, the two of a pair made together (a second apart at most: a pod's
        // start is counted in whole seconds), each pair once the last has run its 4 s
        List<Instant> created = pods.stream().map(Pod::created).sorted().toList();
        for (int pair = 0; pair < 3; pair++) {
            assertTrue(!created.get(2 * pair + 1).isAfter(created.get(2 * pair).plusSeconds(1)), "a pair starts together: " + created);
            if (pair > 0) {
                assertTrue(!created.get(2 * pair).isBefore(created.get(2 * pair - 1).plusSeconds(2)), "pairs follow one another: " + created);
            }
        }
    }

    @Test
    @Order(8)
    void aRollingUpdateAndAnUndoToRevisionTwo() throws Exception {
        apply("nginx.yml", nginx(3, "nginx:1.8"));
        assertTrue(kubectl("rollout", "status", "deployment/nginx-deployment", "--timeout=60s").contains("successfully rolled out"));
        apply("nginx.yml", nginx(3, "nginx:1.9"));
        assertTrue(kubectl("rollout", "status", "deployment/nginx-deployment", "--timeout=60s").contains("successfully rolled out"));
        await(() -> running("app=web_server", 3) && live("app=web_server").stream().allMatch(pod -> pod.image().equals("nginx:1.9")),
                "every pod runs nginx:1.9", 30);
        String history = kubectl("rollout", "history", "deployment", "nginx-deployment");
        assertEquals(List.of("1", "2", "3"), history.lines().map(String::strip).filter(line -> line.matches("\\d+\\s+.*"))
                .map(line -> line.split("\\s+")[0]).toList(), history);
        String second = kubectl("rollout", "history", "deployment", "nginx-deployment", "--revision=2");
        assertTrue(second.matches("(?s).*Image:\\s+nginx:1\\.8\\s.*"), second);

        assertEquals("deployment.apps/nginx-deployment rolled back\n",
                kubectl("rollout", "undo", "deployment", "nginx-deployment", "--to-revision=2"));
        assertTrue(kubectl("rollout", "status", "deployment/nginx-deployment", "--timeout=60s").contains("successfully rolled out"));
        assertEquals("nginx:1.8", kubectl("get", "deployment", "nginx-deployment", "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        await(() -> running("app=web_server", 3) && live("app=web_server").stream().allMatch(pod -> pod.image().equals("nginx:1.8")),
                "every pod runs revision 2's nginx:1.8 again", 30);
        assertEquals(List.of("1", "3", "4"), kubectl("rollout", "history", "deployment", "nginx-deployment").lines().map(String::strip)
                .filter(line -> line.matches("\\d+\\s+.*")).map(line -> line.split("\\s+")[0]).toList(), "revision 2 became 4");
        assertFalse(perNode("app=web_server").containsKey(MASTER), "the master is tainted again: " + perNode("app=web_server"));
    }

    @Test
    @Order(9)
    void theCronJobFiresEveryMinute() throws Exception {
        Duration waited = Duration.between(cronJobCreated, Instant.now());
        await(() -> !kubectl("get", "cronjob", "hello", "-o", "jsonpath={.status.lastSuccessfulTime}").isEmpty(),
                "a Job of the CronJob completes (created " + waited.toSeconds() + " s before this step)", 80);
        String scheduled = kubectl("get", "cronjob", "hello", "-o", "jsonpath={.status.lastScheduleTime}");
        assertEquals(0, Instant.parse(scheduled).getEpochSecond() % 60, "on the minute: " + scheduled);
        String job = "hello-" + Instant.parse(scheduled).getEpochSecond() / 60;
        assertTrue(kubectl("get", "jobs", "-o", "name").lines().anyMatch(line -> line.equals("job.batch/" + job)), kubectl("get", "jobs"));
        assertTrue(kubectl("get", "cronjob", "hello").contains("*/1 * * * *"));
        kubectl("delete", "cronjob", "hello");
    }

    @Test
    @Order(10)
    void aLostNodesPodsAreReplacedElsewhereAndDoNotMoveBack() throws Exception {
        await(() -> running("app=web_server", 3), "three nginx pods", 30);
        Map<String, Long> before = perNode("app=web_server");
        String lost = before.getOrDefault(NODE2, 0L) >= before.getOrDefault(NODE1, 0L) ? NODE2 : NODE1;
        String other = lost.equals(NODE1) ? NODE2 : NODE1;
        Set<String> onLost = live("app=web_server").stream().filter(pod -> pod.node().equals(lost)).map(Pod::name).collect(Collectors.toSet());
        assertFalse(onLost.isEmpty(), before.toString());

        Files.writeString(simConfig(), "leaseRenewSeconds = 1\nstopped = " + lost + "\n");
        await(() -> kubectl("get", "node", lost, "--no-headers").contains(" NotReady "), lost + " NotReady", 30);
        await(() -> onLost.stream().allMatch(name -> kubectl("get", "pod", name, "--no-headers").contains(" Unknown ")),
                "kubectl shows the lost node's pods Unknown", 30);
        await(() -> perNode("app=web_server").equals(Map.of(other, 3L)), "the three replicas run on " + other, 30);

        Set<String> replaced = live("app=web_server").stream().map(Pod::name).collect(Collectors.toSet());
        Files.writeString(simConfig(), "leaseRenewSeconds = 1\n");
        await(() -> kubectl("get", "node", lost, "--no-headers").contains(" Ready "), lost + " Ready again", 30);
        await(() -> pods("app=web_server").stream().noneMatch(pod -> onLost.contains(pod.name())), "the Unknown pods are deleted", 30);
        Thread.sleep(2_000);
        assertEquals(replaced, live("app=web_server").stream().map(Pod::name).collect(Collectors.toSet()), "nothing moved back");
        assertEquals(Map.of(other, 3L), perNode("app=web_server"));
    }
}
