package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The volume bundle in a master with two simulated nodes (no real mounts): binding static volumes
 * (smallest fit, reclaim Delete, Lost), the scheduler keeping pods on their volume's node, the
 * local-path provisioner following a claim's first pod, and the default class given to a claim
 * retroactively; across a swap of the bundle.
 */
class VolumeControllerIT {
    @TempDir
    static Path dir;

    static SimCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = SimCluster.start(dir, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void apply(String name, String yaml) throws Exception {
        cluster.kubectl("apply", "-f", cluster.manifest(name + ".yaml", yaml).toString());
    }

    private static String get(String resource, String jsonpath) {
        return cluster.kubectl("get", resource, "-o", "jsonpath=" + jsonpath);
    }

    private static void await(String resource, String jsonpath, String expected) throws InterruptedException {
        Await.until(() -> expected.equals(get(resource, jsonpath)), () -> resource + " " + jsonpath + " is " + get(resource, jsonpath)
                + ", not " + expected + "\n" + cluster.kubectl("describe", resource), 30);
    }

    private static String volume(String name, String size, String policy, String pinnedTo) {
        return "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: " + name + "\nspec:\n  capacity: {storage: " + size + "}\n"
                + "  accessModes: [ReadWriteOnce]\n  storageClassName: manual\n  persistentVolumeReclaimPolicy: " + policy + "\n"
                + "  hostPath: {path: /tmp/kubundle-it/" + name + "}\n" + (pinnedTo == null ? "" : "  nodeAffinity:\n    required:\n"
                        + "      nodeSelectorTerms:\n      - matchExpressions:\n"
                        + "        - {key: kubernetes.io/hostname, operator: In, values: [" + pinnedTo + "]}\n");
    }

    private static String claim(String name, String size, String className) {
        return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: " + name + "\nspec:\n  accessModes: [ReadWriteOnce]\n"
                + "  resources: {requests: {storage: " + size + "}}\n" + (className == null ? "" : "  storageClassName: " + className + "\n");
    }

    private static String pod(String name, String claim) {
        return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  terminationGracePeriodSeconds: 0\n"
                + "  volumes: [{name: data, persistentVolumeClaim: {claimName: " + claim + "}}]\n"
                + "  containers: [{name: c, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]\n";
    }

    @Test
    void claimsTakeTheSmallestFittingVolumeAndDeleteReclaimsIt() throws Exception {
        apply("fit-volumes", volume("fit-small", "1Gi", "Delete", null) + "---\n" + volume("fit-mid", "2Gi", "Delete", null) + "---\n"
                + volume("fit-big", "5Gi", "Delete", null));
        await("pv/fit-mid", "{.status.phase}", "Available");
        apply("fit-a", claim("fit-a", "2Gi", "manual"));
        await("pvc/fit-a", "{.status.phase}", "Bound");
        assertEquals("fit-mid", get("pvc/fit-a", "{.spec.volumeName}"));
        assertEquals("yes yes", get("pvc/fit-a", "{.metadata.annotations.pv\\.kubernetes\\.io/bind-completed} "
                + "{.metadata.annotations.pv\\.kubernetes\\.io/bound-by-controller}"));
        apply("fit-b", claim("fit-b", "1500Mi", "manual"));
        await("pvc/fit-b", "{.status.phase}", "Bound");
        assertEquals("fit-big 5Gi", get("pvc/fit-b", "{.spec.volumeName} {.status.capacity.storage}"));
        assertEquals("Available", get("pv/fit-small", "{.status.phase}"));

        cluster.kubectl("delete", "pvc", "fit-a");
        Await.until(() -> !cluster.kubectl("get", "pv", "-o", "name").contains("fit-mid"), () -> cluster.kubectl("get", "pv"), 30);
        // a bound volume deleted under its claim: the claim is Lost
        cluster.kubectl("delete", "pv", "fit-big");
        await("pvc/fit-b", "{.status.phase}", "Lost");
        cluster.kubectl("delete", "pvc", "fit-b");
        cluster.kubectl("delete", "pv", "fit-small");
    }

    @Test
    void podsGoToTheNodeOfTheirVolume() throws Exception {
        apply("pinned", claim("pinned", "1Gi", "manual"));
        for (int i = 0; i < 4; i++) {
            apply("pinned-" + i, pod("pinned-" + i, "pinned"));
        }
        Await.until(() -> cluster.kubectl("describe", "pod", "pinned-0").contains("pod has unbound immediate PersistentVolumeClaims"),
                () -> cluster.kubectl("describe", "pod", "pinned-0"), 30);
        assertEquals("", get("pod/pinned-0", "{.spec.nodeName}"), "held back until its claim is bound");
        apply("pinned-pv", volume("pinned", "1Gi", "Retain", "sim-1"));
        await("pvc/pinned", "{.status.phase}", "Bound");
        for (int i = 0; i < 4; i++) {
            await("pod/pinned-" + i, "{.spec.nodeName}", "sim-1");
        }
        apply("conflict", volume("conflict-pv", "1Gi", "Retain", "sim-9") + "---\n" + claim("conflict", "1Gi", "manual")
                + "---\n" + pod("conflict", "conflict"));
        Await.until(() -> cluster.kubectl("describe", "pod", "conflict").contains("volume node affinity conflict"),
                () -> cluster.kubectl("describe", "pod", "conflict"), 30);
        cluster.kubectl("delete", "pod", "--all", "--grace-period=0");
        cluster.kubectl("delete", "pvc", "pinned", "conflict");
        await("pv/pinned", "{.status.phase}", "Released");
        cluster.kubectl("delete", "pv", "pinned", "conflict-pv");
    }

    @Test
    void theDefaultClassProvisionsOnTheNodeOfTheFirstPodAndSurvivesASwap() throws Exception {
        apply("follow", claim("follow", "1Gi", null) + "---\n" + pod("follow-1", "follow"));
        await("pvc/follow", "{.status.phase}", "Bound");
        String node = get("pod/follow-1", "{.spec.nodeName}");
        String volume = get("pvc/follow", "{.spec.volumeName}");
        assertEquals("local-path " + node, get("pv/" + volume, "{.spec.storageClassName} "
                + "{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}"));
        assertEquals(node, get("pvc/follow", "{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}"));
        apply("follow-2", pod("follow-2", "follow"));
        await("pod/follow-2", "{.spec.nodeName}", node);

        // no default class: a claim keeps none, until there is one again (retroactive default)
        cluster.kubectl("annotate", "storageclass", "local-path", "storageclass.kubernetes.io/is-default-class=false", "--overwrite");
        Thread.sleep(1000); // the admission hook's cache
        apply("late", claim("late", "1Gi", null));
        assertEquals("", get("pvc/late", "{.spec.storageClassName}"));
        cluster.swap("io.kubundle.controller.volume", "kubundle-controller-volume-", "2.0.0");
        Thread.sleep(2000);
        assertEquals("false", get("storageclass/local-path", "{.metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class}"),
                "a new instance does not overwrite the class");
        assertEquals("", get("pvc/late", "{.spec.storageClassName}"));
        cluster.kubectl("annotate", "storageclass", "local-path", "storageclass.kubernetes.io/is-default-class=true", "--overwrite");
        await("pvc/late", "{.spec.storageClassName}", "local-path");
        apply("late-user", pod("late-user", "late"));
        await("pvc/late", "{.status.phase}", "Bound");
        assertEquals(volume, get("pvc/follow", "{.spec.volumeName}"), "bound once, across the swap");
        assertEquals(volume, get("pv", "{range .items[?(@.spec.claimRef.name==\"follow\")]}{.metadata.name} {end}").strip(),
                "one volume for the claim");

        cluster.kubectl("delete", "pod", "follow-1", "follow-2", "late-user", "--grace-period=0");
        cluster.kubectl("delete", "pvc", "follow", "late");
        Await.until(() -> !cluster.kubectl("get", "pv", "-o", "name").contains(volume), () -> cluster.kubectl("get", "pv"), 30);
    }
}
