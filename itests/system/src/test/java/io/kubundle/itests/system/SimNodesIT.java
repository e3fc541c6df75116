package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubundle sim-nodes} against {@code up}: three simulated nodes register Ready, run the
 * pods bound to them (and finish those that ask to), complete graceful deletion, and one of
 * them is cut off and brought back through {@code etc/io.kubundle.runtime.sim.cfg}.
 */
class SimNodesIT {
    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static KubundleProcess sim;
    static Kubectl kubectl;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        Files.writeString(distribution.home.resolve("etc/io.kubundle.runtime.sim.cfg"), "leaseRenewSeconds = 1\n");
        Path data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()));
        sim = KubundleProcess.start(distribution, dir.resolve("sim"), "sim-nodes", "--kubeconfig", data.resolve("kubeconfig").toString(),
                "--count", "3");
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
        if (up != null) {
            up.close();
        }
    }

    /** Polls every 200 ms for up to 30 s (shared with the other simulated-node ITs). */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(condition, () -> what, 30);
    }

    private static String kubectl(String... args) {
        try {
            return kubectl.ok(args);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void nodesRegisterReadyAndRunTheirPods() throws Exception {
        await(() -> kubectl("get", "nodes", "--no-headers").lines().filter(line -> line.contains(" Ready ")).count() == 3,
                "three Ready nodes");
        assertEquals("sim-0 sim-1 sim-2", kubectl("get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"));
        assertEquals("32", kubectl("get", "node", "sim-1", "-o", "jsonpath={.status.allocatable.cpu}"));
        String wide = kubectl("get", "node", "sim-1", "-o", "wide");
        assertTrue(wide.startsWith("NAME    STATUS   ROLES    AGE   VERSION                INTERNAL-IP   EXTERNAL-IP   OS-IMAGE"), wide);
        assertTrue(wide.contains("198.18.0.2    <none>        Kubundle simulated node   sim              sim://1.0"), wide);

        Path pods = Files.writeString(dir.resolve("pods.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: finishes
                  annotations: {sim.kubundle.io/run-seconds: "1"}
                spec:
                  nodeName: sim-1
                  restartPolicy: Never
                  containers: [{name: c, image: busybox}]
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: fails
                  annotations: {sim.kubundle.io/run-seconds: "1", sim.kubundle.io/exit-code: "3"}
                spec:
                  nodeName: sim-1
                  restartPolicy: Never
                  containers: [{name: c, image: busybox}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: serves}
                spec:
                  nodeName: sim-2
                  containers: [{name: c, image: nginx}]
                """);
        kubectl("apply", "-f", pods.toString());
        await(() -> kubectl("get", "pod", "serves", "-o", "jsonpath={.status.phase}/{.status.conditions[?(@.type=='Ready')].status}")
                .equals("Running/True"), "the long-running pod runs and is ready");
        assertTrue(kubectl("get", "pod", "serves", "-o", "jsonpath={.status.podIP}").startsWith("10."));
        await(() -> kubectl("get", "pod", "finishes", "-o", "jsonpath={.status.phase}").equals("Succeeded"), "the pod finishes");
        await(() -> kubectl("get", "pod", "fails", "-o", "jsonpath={.status.phase}").equals("Failed"), "the other fails");
        assertEquals("3", kubectl("get", "pod", "fails", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}"));

        // a bound pod is only marked by the API server: its node completes the deletion
        kubectl("delete", "pod", "serves", "--wait=true", "--timeout=20s");
        assertTrue(kubectl("get", "pods", "-o", "name").lines().noneMatch(line -> line.equals("pod/serves")));
    }

    @Test
    void aCutOffNodeStopsHeartbeatingAndComesBack() throws Exception {
        await(() -> !kubectl("get", "lease", "sim-0", "-n", "kube-node-lease", "--ignore-not-found", "-o", "name").isBlank(),
                "sim-0 holds its lease");
        Path config = distribution.home.resolve("etc/io.kubundle.runtime.sim.cfg");
        Files.writeString(config, "leaseRenewSeconds = 1\nstopped = sim-0\n");
        Thread.sleep(2_000);
        String frozen = renewTime("sim-0");
        String other = renewTime("sim-1");
        Thread.sleep(2_500);
        assertEquals(frozen, renewTime("sim-0"), "a stopped node does not renew its lease");
        assertNotEquals(other, renewTime("sim-1"), "the others do");

        Files.writeString(config, "leaseRenewSeconds = 1\n");
        await(() -> !renewTime("sim-0").equals(frozen), "the node back renews its lease again");
    }

    private static String renewTime(String node) {
        return kubectl("get", "lease", node, "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}");
    }
}
