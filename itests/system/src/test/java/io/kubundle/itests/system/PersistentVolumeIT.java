package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent volumes on {@code kubundle up} with its real node, driven by the real kubectl: the
 * default {@code local-path} class provisions a claim for its first pod, the data outlives pods
 * and goes with the claim; a hand-made volume is bound by name and released; the volume bundle is
 * updated while a claim waits, and the claim gets one volume.
 */
class PersistentVolumeIT {
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

    private static String claim(String name, String extraSpec) {
        return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: " + name + "\nspec:\n  accessModes: [ReadWriteOnce]\n"
                + "  resources:\n    requests:\n      storage: 100Mi\n" + extraSpec;
    }

    private static String podUsing(String name, String claim, String script) {
        return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  restartPolicy: Never\n"
                + "  terminationGracePeriodSeconds: 1\n  volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: " + claim
                + "\n  containers:\n  - name: c\n    image: " + RealNode.IMAGE + "\n    command: [\"sh\", \"-c\", \"" + script + "\"]\n"
                + "    volumeMounts:\n    - {name: data, mountPath: /data}\n";
    }

    private static void awaitJsonpath(String resource, String path, String expected, int seconds) throws InterruptedException {
        Await.until(() -> expected.equals(node.jsonpath(resource, path)), () -> node.kubectl.must("describe", resource), seconds);
    }

    private static void awaitGone(String resource, int seconds) throws InterruptedException {
        Await.until(() -> {
            try {
                return node.kubectl.run("get", resource).exitCode() != 0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, () -> node.kubectl.must("get", resource, "-o", "yaml"), seconds);
    }

    /** The names of the volumes whose claimRef names the claim. */
    private static String volumesOf(String claim) {
        return node.jsonpath("pv", "{range .items[?(@.spec.claimRef.name==\"" + claim + "\")]}{.metadata.name} {end}").strip();
    }

    @Test
    void aClaimWithoutAClassGetsALocalPathVolumeThatOutlivesItsPods() throws Exception {
        assertEquals("true", node.jsonpath("storageclass/local-path",
                "{.metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class}"));
        node.apply(dir, "data", claim("data", ""));
        assertEquals("local-path", node.jsonpath("pvc/data", "{.spec.storageClassName}"), "the default class, from admission");
        Await.until(() -> node.kubectl.must("describe", "pvc", "data").contains("WaitForFirstConsumer"),
                () -> node.kubectl.must("describe", "pvc", "data"), 30);
        assertEquals("Pending", node.jsonpath("pvc/data", "{.status.phase}"));

        node.apply(dir, "writer", podUsing("writer", "data", "echo kept across pods > /data/file"));
        awaitJsonpath("pvc/data", "{.status.phase}", "Bound", 60);
        String uid = node.jsonpath("pvc/data", "{.metadata.uid}");
        String volume = "pvc-" + uid;
        assertEquals(volume, node.jsonpath("pvc/data", "{.spec.volumeName}"));
        assertEquals(node.nodeName, node.jsonpath("pvc/data", "{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}"));
        assertEquals("yes", node.jsonpath("pvc/data", "{.metadata.annotations.pv\\.kubernetes\\.io/bind-completed}"));
        assertEquals("Bound", node.jsonpath("pv/" + volume, "{.status.phase}"));
        assertEquals("local-path Delete data " + node.nodeName, node.jsonpath("pv/" + volume, "{.spec.storageClassName} "
                + "{.spec.persistentVolumeReclaimPolicy} {.spec.claimRef.name} "
                + "{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}"));
        Path data = Path.of(node.jsonpath("pv/" + volume, "{.spec.hostPath.path}"));
        assertEquals(node.data.resolve("storage").resolve(volume), data);
        awaitJsonpath("pod/writer", "{.status.phase}", "Succeeded", 60);
        String claims = node.kubectl.ok("get", "pvc", "data");
        assertTrue(claims.matches("(?s)NAME +STATUS +VOLUME +CAPACITY +ACCESS MODES +STORAGECLASS.*\ndata +Bound +" + volume
                + " +100Mi +RWO +local-path .*"), claims);
        assertTrue(node.kubectl.ok("get", "storageclass").contains("local-path (default)   kubundle.io/local-path   Delete"),
                node.kubectl.ok("get", "storageclass"));
        assertEquals("kept across pods\n", Files.readString(data.resolve("file")));
        node.kubectl.ok("delete", "pod", "writer", "--wait=true");

        node.apply(dir, "reader", podUsing("reader", "data", "cat /data/file"));
        awaitJsonpath("pod/reader", "{.status.phase}", "Succeeded", 60);
        assertEquals("kept across pods\n", node.kubectl.ok("logs", "reader"));
        assertEquals(volume, volumesOf("data"), "one volume");
        node.kubectl.ok("delete", "pod", "reader", "--wait=true");

        node.kubectl.ok("delete", "pvc", "data", "--wait=true");
        awaitGone("pv/" + volume, 30);
        Await.until(() -> !Files.exists(data), () -> data + " is still there", 10);
    }

    @Test
    void aVolumeMadeByHandIsBoundByNameAndReleasedWithRetain() throws Exception {
        Path disk = Files.createDirectories(dir.resolve("static-disk"));
        node.apply(dir, "static-claim", claim("static-claim", "  storageClassName: manual\n  volumeName: static-pv\n"));
        // placed by hand: the scheduler would hold it back until the claim is bound, the kubelet waits
        node.apply(dir, "static-user", podUsing("static-user", "static-claim", "echo from the pod > /data/out")
                .replace("spec:\n", "spec:\n  nodeName: " + node.nodeName + "\n"));
        Await.until(() -> node.kubectl.must("describe", "pod", "static-user").contains("persistentvolumeclaim \"static-claim\" not bound"),
                () -> node.kubectl.must("describe", "pod", "static-user"), 60);
        assertEquals("Pending", node.jsonpath("pvc/static-claim", "{.status.phase}"));

        node.apply(dir, "static-pv", "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: static-pv\nspec:\n"
                + "  capacity:\n    storage: 1Gi\n  accessModes: [ReadWriteOnce, ReadOnlyMany]\n  storageClassName: manual\n"
                + "  persistentVolumeReclaimPolicy: Retain\n  hostPath:\n    path: " + disk + "\n");
        awaitJsonpath("pvc/static-claim", "{.status.phase}", "Bound", 30);
        assertEquals("Bound static-claim", node.jsonpath("pv/static-pv", "{.status.phase} {.spec.claimRef.name}"));
        assertEquals("1Gi", node.jsonpath("pvc/static-claim", "{.status.capacity.storage}"));
        // as in Kubernetes: the controller wrote the volume's claimRef, the user the claim's volumeName
        assertEquals("yes", node.jsonpath("pv/static-pv", "{.metadata.annotations.pv\\.kubernetes\\.io/bound-by-controller}"));
        assertEquals("yes ", node.jsonpath("pvc/static-claim", "{.metadata.annotations.pv\\.kubernetes\\.io/bind-completed} "
                + "{.metadata.annotations.pv\\.kubernetes\\.io/bound-by-controller}"));
        awaitJsonpath("pod/static-user", "{.status.phase}", "Succeeded", 60);
        assertEquals("from the pod\n", Files.readString(disk.resolve("out")));
        node.kubectl.ok("delete", "pod", "static-user", "--wait=true");

        node.kubectl.ok("delete", "pvc", "static-claim", "--wait=true");
        awaitJsonpath("pv/static-pv", "{.status.phase}", "Released", 30);
        Thread.sleep(2000);
        assertEquals("Released", node.jsonpath("pv/static-pv", "{.status.phase}"), "Retain keeps it");
        assertTrue(Files.exists(disk.resolve("out")));
        node.apply(dir, "static-claim-again", claim("static-claim-again", "  storageClassName: manual\n"));
        Thread.sleep(2000);
        assertEquals("Pending", node.jsonpath("pvc/static-claim-again", "{.status.phase}"), "a Released volume is not bound again");
        node.kubectl.ok("delete", "pvc", "static-claim-again", "--wait=true");
        node.kubectl.ok("delete", "pv", "static-pv", "--wait=true");
    }

    @Test
    void updatingTheBundleWhileAClaimWaitsBindsItOnce() throws Exception {
        Path jar;
        try (var jars = Files.list(node.distribution.home.resolve("bundles"))) {
            jar = jars.filter(p -> p.getFileName().toString().startsWith("kubundle-controller-volume-")).findFirst().orElseThrow();
        }
        node.apply(dir, "swap-claim", claim("swap-claim", ""));
        node.apply(dir, "swap-user", podUsing("swap-user", "swap-claim", "echo swapped > /data/file"));
        Distribution.Result updated = node.distribution.kubundle("bundles", "update", "io.kubundle.controller.volume", jar.toString(),
                "--data-dir", node.data.toString());
        assertEquals(0, updated.exitCode(), updated.err());
        awaitJsonpath("pvc/swap-claim", "{.status.phase}", "Bound", 60);
        awaitJsonpath("pod/swap-user", "{.status.phase}", "Succeeded", 60);
        Thread.sleep(3000); // time for a second instance's mistake, if it made one
        String volume = volumesOf("swap-claim");
        assertEquals("pvc-" + node.jsonpath("pvc/swap-claim", "{.metadata.uid}"), volume, "one volume");
        assertFalse(node.kubectl.ok("get", "pv").contains("Released"), node.kubectl.ok("get", "pv"));
        node.kubectl.ok("delete", "pod", "swap-user", "--wait=true");
        node.kubectl.ok("delete", "pvc", "swap-claim", "--wait=true");
        awaitGone("pv/" + volume, 30);
    }
}
