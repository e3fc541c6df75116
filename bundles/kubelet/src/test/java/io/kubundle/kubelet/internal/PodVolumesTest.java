package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;

/** Volumes made for real on this host (tmpfs mounts need root, as the kubelet has). */
class PodVolumesTest {
    @TempDir
    Path temp;

    private final Map<String, ConfigMap> configMaps = new HashMap<>();
    private final Map<String, Secret> secrets = new HashMap<>();
    private final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    private final Map<String, PersistentVolume> persistentVolumes = new HashMap<>();
    private final PodVolumes volumes = new PodVolumes(new ObjectLookup() {
        @Override
        public Optional<ConfigMap> configMap(String namespace, String name) {
            return Optional.ofNullable(configMaps.get(name));
        }

        @Override
        public Optional<Secret> secret(String namespace, String name) {
            return Optional.ofNullable(secrets.get(name));
        }

        @Override
        public Optional<PersistentVolumeClaim> persistentVolumeClaim(String namespace, String name) {
            return Optional.ofNullable(claims.get(namespace + "/" + name));
        }

        @Override
        public Optional<PersistentVolume> persistentVolume(String name) {
            return Optional.ofNullable(persistentVolumes.get(name));
        }
    });
    private final EnvResolver.PodFacts facts = new EnvResolver.PodFacts("10.1.0.5", "192.168.0.2", 1000, 1L << 30);

    @AfterEach
    void unmount() throws Exception {
        PodVolumes.tearDown(temp.resolve("pod"));
        assertEquals(java.util.List.of(), PodVolumes.mountsUnder(temp));
    }

    private Pod pod(Volume... volumes) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").withUid("u").addToLabels("app", "web")
                .endMetadata().withNewSpec().addNewContainer().withName("c").endContainer().withVolumes(volumes).endSpec().build();
    }

    @Test
    void configMapFilesAreWrittenAtomicallyAndFollowUpdates() throws Exception {
        configMaps.put("settings", new ConfigMapBuilder().addToData("a.conf", "one").addToData("b.conf", "two").build());
        Pod pod = pod(new VolumeBuilder().withName("cfg").withNewConfigMap().withName("settings").withDefaultMode(0600).endConfigMap()
                .build());
        Path dir = volumes.setUp(pod, temp.resolve("pod"), facts).get("cfg");
        assertEquals("one", Files.readString(dir.resolve("a.conf")));
        assertTrue(Files.isSymbolicLink(dir.resolve("a.conf")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.conf"))));
        Path version = Files.readSymbolicLink(dir.resolve(AtomicWriter.DATA_LINK));

        volumes.setUp(pod, temp.resolve("pod"), facts);
        assertEquals(version, Files.readSymbolicLink(dir.resolve(AtomicWriter.DATA_LINK)), "unchanged data is not rewritten");

        configMaps.put("settings", new ConfigMapBuilder().addToData("a.conf", "uno").build());
        volumes.setUp(pod, temp.resolve("pod"), facts);
        assertEquals("uno", Files.readString(dir.resolve("a.conf")));
        assertFalse(Files.exists(dir.resolve("b.conf"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "a removed key's file goes");
        assertFalse(Files.exists(dir.resolve(version)), "the old version is deleted");
    }

    @Test
    void secretsLiveOnTmpfsWithItemsAndModes() throws Exception {
        secrets.put("creds", new SecretBuilder().addToData("password",
                Base64.getEncoder().encodeToString("hunter2".getBytes(StandardCharsets.UTF_8))).addToData("user", "YWRtaW4=").build());
        Pod pod = pod(new VolumeBuilder().withName("s").withNewSecret().withSecretName("creds").addNewItem().withKey("password")
                .withPath("nested/pw").withMode(0400).endItem().endSecret().build());
        Path dir = volumes.setUp(pod, temp.resolve("pod"), facts).get("s");
        assertEquals("hunter2", Files.readString(dir.resolve("nested/pw")));
        assertFalse(Files.exists(dir.resolve("user")), "only the listed items");
        assertTrue(PodVolumes.mountsUnder(temp).contains(dir), "a secret volume is a tmpfs");
    }

    @Test
    void missingConfigMapIsAFailedMountUnlessOptional() throws Exception {
        Pod pod = pod(new VolumeBuilder().withName("cfg").withNewConfigMap().withName("absent").endConfigMap().build());
        ConfigError error = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertEquals("FailedMount", error.reason());
        assertEquals("MountVolume.SetUp failed for volume \"cfg\" : configmap \"absent\" not found", error.getMessage());
        Pod optional = pod(new VolumeBuilder().withName("cfg").withNewConfigMap().withName("absent").withOptional(true).endConfigMap()
                .build());
        assertTrue(Files.isDirectory(volumes.setUp(optional, temp.resolve("pod"), facts).get("cfg")));
    }

    @Test
    void emptyDirInMemoryIsASizedTmpfsAndDownwardApiWritesFields() throws Exception {
        Pod pod = pod(new VolumeBuilder().withName("scratch").withNewEmptyDir().withMedium("Memory")
                .withSizeLimit(new io.fabric8.kubernetes.api.model.Quantity("1Mi")).endEmptyDir().build(),
                new VolumeBuilder().withName("info").withNewDownwardAPI().addNewItem().withPath("labels").withNewFieldRef()
                        .withFieldPath("metadata.labels").endFieldRef().endItem().addNewItem().withPath("name").withNewFieldRef()
                        .withFieldPath("metadata.name").endFieldRef().endItem().endDownwardAPI().build());
        Map<String, Path> paths = volumes.setUp(pod, temp.resolve("pod"), facts);
        Path scratch = paths.get("scratch");
        assertTrue(PodVolumes.mountsUnder(temp).contains(scratch));
        assertEquals(1024 * 1024, Files.getFileStore(scratch).getTotalSpace());
        assertEquals("app=\"web\"", Files.readString(paths.get("info").resolve("labels")));
        assertEquals("p", Files.readString(paths.get("info").resolve("name")));
    }

    @Test
    void hostPathTypesAreCheckedOrCreated() throws Exception {
        Path made = temp.resolve("made/deep");
        assertEquals(made, volumes.setUp(pod(new VolumeBuilder().withName("h").withNewHostPath().withPath(made.toString())
                .withType("DirectoryOrCreate").endHostPath().build()), temp.resolve("pod"), facts).get("h"));
        assertTrue(Files.isDirectory(made));
        Path file = temp.resolve("made/f");
        volumes.setUp(pod(new VolumeBuilder().withName("h").withNewHostPath().withPath(file.toString()).withType("FileOrCreate")
                .endHostPath().build()), temp.resolve("pod"), facts);
        assertTrue(Files.isRegularFile(file));
        ConfigError notDir = assertThrows(ConfigError.class, () -> volumes.setUp(pod(new VolumeBuilder().withName("h").withNewHostPath()
                .withPath(file.toString()).withType("Directory").endHostPath().build()), temp.resolve("pod"), facts));
        assertTrue(notDir.getMessage().contains("is not a directory"), notDir.getMessage());
        ConfigError missing = assertThrows(ConfigError.class, () -> volumes.setUp(pod(new VolumeBuilder().withName("h")
                .withNewHostPath().withPath(temp.resolve("absent").toString()).endHostPath().build()), temp.resolve("pod"), facts));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertThrows(ConfigError.class, () -> volumes.setUp(pod(new VolumeBuilder().withName("h").withNewHostPath()
                .withPath("/dev/null").withType("BlockDevice").endHostPath().build()), temp.resolve("pod"), facts));
        volumes.setUp(pod(new VolumeBuilder().withName("h").withNewHostPath().withPath("/dev/null").withType("CharDevice")
                .endHostPath().build()), temp.resolve("pod"), facts);
    }

    @Test
    void aClaimMountsItsBoundVolumeAndWaitsUntilThen() throws Exception {
        Pod pod = pod(new VolumeBuilder().withName("data").withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim()
                .build());
        ConfigError missing = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertEquals(PodVolumes.FAILED_MOUNT, missing.reason());
        assertTrue(missing.getMessage().endsWith("persistentvolumeclaim \"data\" not found"), missing.getMessage());

        claims.put("ns/data", new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").withNamespace("ns").withUid("c1")
                .endMetadata().withNewSpec().endSpec().withNewStatus().withPhase("Pending").endStatus().build());
        ConfigError unbound = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertTrue(unbound.getMessage().endsWith("persistentvolumeclaim \"data\" not bound"), unbound.getMessage());

        Path dir = temp.resolve("storage/pv-1");
        claims.put("ns/data", new PersistentVolumeClaimBuilder(claims.get("ns/data")).editSpec().withVolumeName("pv-1").endSpec()
                .editStatus().withPhase("Bound").endStatus().build());
        persistentVolumes.put("pv-1", new PersistentVolumeBuilder().withNewMetadata().withName("pv-1").endMetadata().withNewSpec()
                .withNewClaimRef().withNamespace("ns").withName("data").withUid("other").endClaimRef()
                .withNewHostPath().withPath(dir.toString()).withType("DirectoryOrCreate").endHostPath().endSpec().build());
        ConfigError elsewhere = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertTrue(elsewhere.getMessage().contains("is not bound to claim"), elsewhere.getMessage());

        persistentVolumes.put("pv-1", new PersistentVolumeBuilder(persistentVolumes.get("pv-1")).editSpec().editClaimRef().withUid("c1")
                .endClaimRef().endSpec().build());
        assertEquals(dir, volumes.setUp(pod, temp.resolve("pod"), facts).get("data"));
        assertTrue(Files.isDirectory(dir), "made by the node, as hostPath DirectoryOrCreate does");

        Path local = Files.createDirectories(temp.resolve("disk"));
        persistentVolumes.put("pv-1", new PersistentVolumeBuilder(persistentVolumes.get("pv-1")).editSpec().withHostPath(null)
                .withNewLocal().withPath(local.toString()).endLocal().endSpec().build());
        assertEquals(local, volumes.setUp(pod, temp.resolve("pod"), facts).get("data"));
        Files.delete(local);
        ConfigError gone = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertTrue(gone.getMessage().contains("does not exist"), gone.getMessage());
        PodVolumes.tearDown(temp.resolve("pod"));
        assertTrue(Files.isDirectory(dir), "tearing the pod down leaves the claim's data");
    }

    @Test
    void pathsEscapingTheVolumeAreRefused() {
        assertThrows(java.io.IOException.class, () -> AtomicWriter.write(temp.resolve("v"),
                Map.of("../evil", new AtomicWriter.Payload(new byte[0], 0644))));
        assertFalse(Files.exists(temp.resolve("evil")));
    }
}
