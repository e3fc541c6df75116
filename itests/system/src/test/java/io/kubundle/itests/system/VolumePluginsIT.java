package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The volume plugins on {@code kubundle up} with its real node: the config volume bundle is updated
 * in place while a pod with a configMap volume runs (the container keeps running with its files,
 * and a later ConfigMap update still reaches it); with the local volume bundle uninstalled a new
 * pod with an emptyDir waits with {@code FailedMount} naming the missing plugin, and runs once the
 * bundle is installed again.
 */
class VolumePluginsIT {
    @TempDir
    static Path dir;

    static RealNode node;

    @BeforeAll
    static void startNode() throws Exception {
        node = new RealNode(dir);
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static String pod(String name, String volume, String script) {
        return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  terminationGracePeriodSeconds: 1\n  volumes:\n"
                + "  - name: v\n" + volume + "  containers:\n  - name: c\n    image: " + RealNode.IMAGE + "\n"
                + "    command: [\"sh\", \"-c\", \"" + script + "\"]\n    volumeMounts:\n    - {name: v, mountPath: /v}\n";
    }

    private static Path jar(String prefix) throws Exception {
        try (var jars = Files.list(node.distribution.home.resolve("bundles"))) {
            return jars.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    private static void bundles(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("bundles"));
        all.addAll(List.of(args));
        all.addAll(List.of("--data-dir", node.data.toString()));
        Distribution.Result result = node.distribution.kubundle(all.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.err());
    }

    /** kubectl logs, or its error while there is nothing to show yet. */
    private static String logs(String pod) {
        try {
            Distribution.Result result = node.kubectl.run("logs", pod);
            return result.out() + result.err();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static void awaitRunning(String pod) throws InterruptedException {
        Await.until(() -> "Running".equals(node.jsonpath("pod/" + pod, "{.status.phase}")),
                () -> node.kubectl.must("describe", "pod", pod), 60);
    }

    @Test
    void updatingTheConfigPluginKeepsRunningPodsFilesAndTheirUpdates() throws Exception {
        node.kubectl.ok("create", "configmap", "live", "--from-literal=mode=first");
        node.apply(dir, "reader", pod("reader", "    configMap:\n      name: live\n",
                "while true; do echo file $(cat /v/mode); sleep 1; done"));
        awaitRunning("reader");
        Await.until(() -> logs("reader").contains("file first"), () -> logs("reader"), 20);
        String container = node.jsonpath("pod/reader", "{.status.containerStatuses[0].containerID}");

        bundles("update", "io.kubundle.volume.config", jar("kubundle-volume-config-").toString());
        node.kubectl.ok("patch", "configmap", "live", "-p", "{\"data\":{\"mode\":\"second\"}}");
        Await.until(() -> logs("reader").contains("file second"), () -> logs("reader"), 30);
        assertEquals(container, node.jsonpath("pod/reader", "{.status.containerStatuses[0].containerID}"));
        assertEquals("0", node.jsonpath("pod/reader", "{.status.containerStatuses[0].restartCount}"));
        node.kubectl.ok("delete", "pod", "reader", "--wait=true");
        node.kubectl.ok("delete", "configmap", "live");
    }

    @Test
    void aPodWaitsForAMissingVolumePluginUntilItIsInstalled() throws Exception {
        Path jar = jar("kubundle-volume-local-");
        bundles("uninstall", "io.kubundle.volume.local");
        try {
            node.apply(dir, "scratch", pod("scratch", "    emptyDir: {}\n", "echo made > /v/file; sleep 3600"));
            String missing = "no volume plugin for type \"emptyDir\" is installed";
            Await.until(() -> node.kubectl.must("describe", "pod", "scratch").contains(missing),
                    () -> node.kubectl.must("describe", "pod", "scratch"), 60);
            assertEquals("Pending", node.jsonpath("pod/scratch", "{.status.phase}"));
        } finally {
            bundles("install", jar.toString());
        }
        awaitRunning("scratch");
        assertEquals("made\n", node.kubectl.ok("exec", "scratch", "--", "cat", "/v/file"));
        node.kubectl.ok("delete", "pod", "scratch", "--wait=true");
    }
}
