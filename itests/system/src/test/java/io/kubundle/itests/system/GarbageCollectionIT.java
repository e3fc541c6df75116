package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.itests.support.client.ClientConformance;

/**
 * The garbage collector in {@code up}: background, foreground (waiting for a dependent held by a
 * finalizer) and orphan deletion, through the API and through kubectl's {@code --cascade}, and the
 * collector's bundle removed and installed again while owners are deleted.
 */
class GarbageCollectionIT {
    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static KubeClient client;
    static Kubectl kubectl;
    static ResourceClient<ObjectNode> maps;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        up = KubundleProcess.start(distribution, dir.resolve("data"), "master", "--port", Integer.toString(RolesIT.freePort()));
        client = KubeClient.fromKubeconfig(dir.resolve("data/kubeconfig"));
        kubectl = new Kubectl(dir.resolve("data/kubeconfig"), dir.resolve("kubectl-cache"));
        maps = client.resources(ClientConformance.CONFIG_MAPS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (up != null) {
            up.close();
        }
    }

    /** An owner config map and dependents naming it. */
    private static ObjectNode family(String owner, String... dependents) throws Exception {
        ObjectNode created = maps.create(map(owner));
        for (String dependent : dependents) {
            ObjectNode child = map(dependent);
            ((ObjectNode) child.path("metadata")).putArray("ownerReferences").addObject().put("apiVersion", "v1").put("kind", "ConfigMap")
                    .put("name", owner).put("uid", created.path("metadata").path("uid").asText()).put("blockOwnerDeletion", true);
            maps.create(child);
        }
        return created;
    }

    private static ObjectNode map(String name) {
        ObjectNode map = client.json().createObjectNode();
        map.putObject("metadata").put("name", name).put("namespace", "default");
        map.putObject("data").put("k", "v");
        return map;
    }

    private static boolean exists(String name) {
        try {
            return maps.find("default", name).isPresent();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean marked(String name) {
        try {
            return maps.find("default", name).map(map -> map.path("metadata").has("deletionTimestamp")).orElse(false);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void backgroundDeletionRemovesTheDependentsAfterTheOwner() throws Exception {
        family("bg-owner", "bg-a", "bg-b");
        assertTrue(maps.delete("default", "bg-owner", DeleteOptions.propagation("Background")));
        assertFalse(exists("bg-owner"), "the owner goes at once");
        await(() -> !exists("bg-a") && !exists("bg-b"), "the dependents are collected");
    }

    @Test
    void foregroundDeletionWaitsForEveryDependent() throws Exception {
        family("fg-owner", "fg-a", "fg-held");
        maps.patch("default", "fg-held", PatchType.MERGE, "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}");
        maps.delete("default", "fg-owner", DeleteOptions.propagation("Foreground"));

        ObjectNode marked = maps.get("default", "fg-owner");
        assertTrue(marked.path("metadata").has("deletionTimestamp"), "the owner is marked, not removed");
        assertEquals("foregroundDeletion", marked.path("metadata").path("finalizers").path(0).asText());
        await(() -> !exists("fg-a"), "a free dependent is deleted");
        await(() -> marked("fg-held"), "the held dependent is marked for deletion");
        Thread.sleep(500);
        assertTrue(exists("fg-owner"), "the owner waits for the held dependent");

        maps.patch("default", "fg-held", PatchType.MERGE, "{\"metadata\":{\"finalizers\":null}}");
        await(() -> !exists("fg-held") && !exists("fg-owner"), "once the dependent goes, so does the owner");
    }

    @Test
    void orphanDeletionReleasesTheDependents() throws Exception {
        family("or-owner", "or-a");
        maps.delete("default", "or-owner", DeleteOptions.propagation("Orphan"));
        await(() -> !exists("or-owner"), "the owner goes once its dependents are released");
        ObjectNode orphan = maps.get("default", "or-a");
        assertFalse(orphan.path("metadata").has("ownerReferences"), "the dependent no longer names the owner");
    }

    @Test
    void kubectlCascadeFlagsChooseThePropagation() throws Exception {
        family("kc-orphan", "kc-orphan-a");
        kubectl.ok("delete", "configmap", "kc-orphan", "--cascade=orphan");
        await(() -> !exists("kc-orphan"), "kubectl's orphan deletion completes");
        Thread.sleep(500);
        assertTrue(exists("kc-orphan-a"), "the dependent stays");

        family("kc-fg", "kc-fg-a");
        kubectl.ok("delete", "configmap", "kc-fg", "--cascade=foreground");
        assertFalse(exists("kc-fg"), "kubectl waits for a foreground deletion to finish");
        assertFalse(exists("kc-fg-a"));
    }

    @Test
    void unknownPropagationIsRefused() throws Exception {
        family("bad-policy");
        // kubectl cannot send a policy it does not know: ask the API directly
        ApiStatusException error = assertThrows(ApiStatusException.class,
                () -> maps.delete("default", "bad-policy", DeleteOptions.propagation("Sideways")));
        assertEquals(422, error.code());
        assertTrue(error.getMessage().contains("Unsupported value: \"Sideways\""), error.getMessage());
        assertTrue(exists("bad-policy"), "nothing was deleted");
    }

    @Test
    void theCollectorCanBeRemovedAndReinstalledAndCatchesUp() throws Exception {
        Path jar;
        try (var files = Files.list(distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("kubundle-controller-gc-")).findFirst().orElseThrow();
        }
        Path data = dir.resolve("data");
        Distribution.Result removed = distribution.kubundle("bundles", "uninstall", "io.kubundle.controller.gc", "--data-dir", data.toString());
        assertEquals(0, removed.exitCode(), removed.err());
        try {
            family("swap-owner", "swap-a");
            maps.delete("default", "swap-owner", DeleteOptions.propagation("Background"));
            Thread.sleep(1_000);
            assertTrue(exists("swap-a"), "without the collector nothing collects");
        } finally {
            Distribution.Result installed = distribution.kubundle("bundles", "install", jar.toString(), "--data-dir", data.toString());
            assertEquals(0, installed.exitCode(), installed.err());
        }
        await(() -> !exists("swap-a"), "the reinstalled collector finds the orphan from its first lists");
        assertFalse(exists("swap-owner"));
    }
}
