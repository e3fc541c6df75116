package io.kubundle.controller.volume.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

class LocalPathTest {
    @TempDir
    Path temp;

    @Test
    void aProvisionedVolumeIsAHostPathPinnedToTheNodeAndPreBound() {
        PersistentVolumeClaim claim = BinderTest.claim("data", "2Gi", "local-path", "ReadWriteOnce");
        LocalPath localPath = new LocalPath(temp.resolve("storage"));
        PersistentVolume volume = localPath.volumeFor(claim, "local-path", "Delete",
                new Binder.Node("n1", Map.of(Binder.HOSTNAME, "host-1")));
        assertEquals("pvc-uid-data", volume.getMetadata().getName());
        assertEquals(temp.resolve("storage/pvc-uid-data").toString(), volume.getSpec().getHostPath().getPath());
        assertEquals("DirectoryOrCreate", volume.getSpec().getHostPath().getType());
        assertEquals("Delete", volume.getSpec().getPersistentVolumeReclaimPolicy());
        assertEquals("2Gi", volume.getSpec().getCapacity().get("storage").toString());
        assertEquals(List.of("ReadWriteOnce"), volume.getSpec().getAccessModes());
        assertEquals("uid-data", volume.getSpec().getClaimRef().getUid());
        assertEquals(StorageClasses.PROVISIONER, volume.getMetadata().getAnnotations().get(Binder.PROVISIONED_BY));
        assertTrue(Binder.affinityAllows(volume, new Binder.Node("n1", Map.of(Binder.HOSTNAME, "host-1"))));
        assertFalse(Binder.affinityAllows(volume, new Binder.Node("n2", Map.of(Binder.HOSTNAME, "host-2"))));
        assertTrue(Binder.boundTo(volume, claim));
    }

    @Test
    void onlyItsOwnDirectoryIsRemoved() throws Exception {
        LocalPath localPath = new LocalPath(temp.resolve("storage"));
        PersistentVolume volume = localPath.volumeFor(BinderTest.claim("data", "1Gi", "local-path"), "local-path", "Delete",
                new Binder.Node("n1", Map.of()));
        Path dir = Files.createDirectories(Path.of(volume.getSpec().getHostPath().getPath()).resolve("sub"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "x");
        Files.createSymbolicLink(dir.resolve("link"), outside);
        assertTrue(localPath.removeData(volume));
        assertFalse(Files.exists(dir.getParent()));
        assertTrue(Files.exists(outside.resolve("keep")), "a link is removed, not followed");
        assertFalse(localPath.removeData(volume), "already gone (or on another node)");

        Files.createDirectories(temp.resolve("storage/elsewhere"));
        PersistentVolume moved = new PersistentVolumeBuilder(volume).editSpec().editHostPath().withPath(temp.resolve("storage/elsewhere")
                .toString()).endHostPath().endSpec().build();
        assertFalse(localPath.removeData(moved), "a path not named after the volume is not ours");
        PersistentVolume handMade = new PersistentVolumeBuilder(moved).editMetadata().withAnnotations(Map.of()).endMetadata().build();
        assertFalse(localPath.removeData(handMade));
        assertTrue(Files.isDirectory(temp.resolve("storage/elsewhere")));
    }
}
