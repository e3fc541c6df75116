package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.kubundle.api.volume.VolumeFailure;
import io.kubundle.api.volume.VolumePlugin;
import io.kubundle.api.volume.VolumeRef;
import io.kubundle.api.volume.VolumeRequest;

/** Which plugin the kubelet calls for each volume, with what, and how it tears volumes down. */
class PodVolumesTest {
    @TempDir
    Path temp;

    private final Map<String, ConfigMap> configMaps = new HashMap<>();
    private final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    private final Map<String, PersistentVolume> persistentVolumes = new HashMap<>();
    private final Plugins plugins = new Plugins();
    private final PodVolumes volumes = new PodVolumes(new ObjectLookup() {
        @Override
        public Optional<ConfigMap> configMap(String namespace, String name) {
            return Optional.ofNullable(configMaps.get(name));
        }

        @Override
        public Optional<Secret> secret(String namespace, String name) {
            return Optional.empty();
        }

        @Override
        public Optional<PersistentVolumeClaim> persistentVolumeClaim(String namespace, String name) {
            return Optional.ofNullable(claims.get(namespace + "/" + name));
        }

        @Override
        public Optional<PersistentVolume> persistentVolume(String name) {
            return Optional.ofNullable(persistentVolumes.get(name));
        }
    }, plugins, new ObjectMapper());
    private final EnvResolver.PodFacts facts = new EnvResolver.PodFacts("10.1.0.5", "192.168.0.2", 1000, 1L << 30);

    /** A plugin that records its calls and answers with a path of its own, or fails with {@link #failure}. */
    private static final class Recorder implements VolumePlugin {
        final List<VolumeRequest> setUps = new CopyOnWriteArrayList<>();
        final List<VolumeRef> tearDowns = new CopyOnWriteArrayList<>();
        final Path answer;
        volatile String failure;

        Recorder(Path answer) {
            this.answer = answer;
        }

        @Override
        public Path setUp(VolumeRequest request) throws VolumeFailure {
            setUps.add(request);
            if (failure != null) {
                throw new VolumeFailure(failure);
            }
            return answer;
        }

        @Override
        public void tearDown(VolumeRef volume) {
            tearDowns.add(volume);
        }
    }

    private Pod pod(Volume... volumes) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").withUid("u").addToLabels("app", "web")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withNewResources().addToLimits("memory",
                        new io.fabric8.kubernetes.api.model.Quantity("64Mi")).endResources().endContainer().withVolumes(volumes).endSpec()
                .build();
    }

    @Test
    void eachVolumeGoesToThePluginOfItsTypeWithWhatItNeeds() throws Exception {
        Recorder config = new Recorder(temp.resolve("config-answer"));
        Recorder local = new Recorder(temp.resolve("local-answer"));
        plugins.addVolumes(config, Set.of("configMap", "secret"));
        plugins.addVolumes(local, Set.of("emptyDir"));
        configMaps.put("settings", new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata().addToData("mode", "first")
                .build());
        Pod pod = pod(new VolumeBuilder().withName("cfg").withNewConfigMap().withName("settings").withDefaultMode(0600).endConfigMap()
                .build(), new VolumeBuilder().withName("scratch").withNewEmptyDir().withMedium("Memory")
                .withSizeLimit(new io.fabric8.kubernetes.api.model.Quantity("1Mi")).endEmptyDir().build());

        Map<String, Path> paths = volumes.setUp(pod, temp.resolve("pod"), facts);
        assertEquals(Map.of("cfg", config.answer, "scratch", local.answer), paths);
        VolumeRequest request = config.setUps.get(0);
        Path dir = temp.resolve("pod/volumes/configMap/cfg");
        assertEquals(new VolumeRef("configMap", "cfg", "u", dir), request.volume());
        assertTrue(Files.isDirectory(dir), "the kubelet makes the volume's directory");
        assertEquals(Map.of("name", "settings", "defaultMode", 0600), request.source());
        assertEquals(Map.of(), request.persistentVolume());
        assertEquals("ns", ((Map<?, ?>) request.pod().get("metadata")).get("namespace"));
        assertEquals(Map.of("mode", "first"), request.objects().get("v1", "ConfigMap", "ns", "settings").orElseThrow().get("data"));
        assertEquals(Optional.empty(), request.objects().get("v1", "ConfigMap", "ns", "absent"));
        assertThrows(VolumeFailure.class, () -> request.objects().get("apps/v1", "Deployment", "ns", "web"));
        assertEquals("p", request.fields().field("metadata.name"));
        assertEquals("10.1.0.5", request.fields().field("status.podIP"), "the sandbox's address, before the status has it");
        assertEquals("64", request.fields().resource(null, "limits.memory", "1Mi"));
        assertEquals("1", request.fields().resource("c", "limits.cpu", null), "the node's allocatable without a limit");
        assertThrows(VolumeFailure.class, () -> request.fields().field("status.phase"));
        assertEquals(Map.of("medium", "Memory", "sizeLimit", "1Mi"), local.setUps.get(0).source());

        volumes.setUp(pod, temp.resolve("pod"), facts);
        assertEquals(2, config.setUps.size(), "set up again at every sync");
    }

    @Test
    void aMissingPluginOrAPluginsFailureIsAFailedMount() throws Exception {
        Pod pod = pod(new VolumeBuilder().withName("share").withNewNfs().withServer("nas").withPath("/export").endNfs().build());
        ConfigError missing = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertEquals(PodVolumes.FAILED_MOUNT, missing.reason());
        assertEquals("MountVolume.SetUp failed for volume \"share\" : no volume plugin for type \"nfs\" is installed",
                missing.getMessage());

        Recorder nfs = new Recorder(temp.resolve("mnt"));
        nfs.failure = "mount.nfs: Connection refused";
        plugins.addVolumes(nfs, Set.of("nfs"));
        ConfigError failed = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertEquals("MountVolume.SetUp failed for volume \"share\" : mount.nfs: Connection refused", failed.getMessage());
        nfs.failure = null;
        assertEquals(Map.of("share", nfs.answer), volumes.setUp(pod, temp.resolve("pod"), facts));
        assertEquals(Map.of("server", "nas", "path", "/export"), nfs.setUps.get(0).source());
    }

    @Test
    void theLastPluginForATypeServesItUntilItLeaves() {
        Recorder first = new Recorder(temp);
        Recorder second = new Recorder(temp);
        plugins.addVolumes(first, Set.of("emptyDir", "hostPath"));
        plugins.addVolumes(second, Set.of("emptyDir"));
        assertSame(second, plugins.volumes("emptyDir").orElseThrow(), "a swap's new copy");
        assertSame(first, plugins.volumes("hostPath").orElseThrow());
        plugins.removeVolumes(second);
        assertSame(first, plugins.volumes("emptyDir").orElseThrow());
        plugins.removeVolumes(first);
        assertEquals(Optional.empty(), plugins.volumes("emptyDir"));
    }

    @Test
    void aClaimGoesToThePluginOfItsBoundVolumesTypeAndWaitsUntilBound() throws Exception {
        Recorder hostPath = new Recorder(temp.resolve("storage/pv-1"));
        Recorder nfs = new Recorder(temp.resolve("mnt"));
        plugins.addVolumes(hostPath, Set.of("hostPath"));
        plugins.addVolumes(nfs, Set.of("nfs"));
        Pod pod = pod(new VolumeBuilder().withName("data").withNewPersistentVolumeClaim().withClaimName("data").endPersistentVolumeClaim()
                .build());
        ConfigError missing = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertEquals(PodVolumes.FAILED_MOUNT, missing.reason());
        assertTrue(missing.getMessage().endsWith("persistentvolumeclaim \"data\" not found"), missing.getMessage());

        claims.put("ns/data", new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").withNamespace("ns").withUid("c1")
                .endMetadata().withNewSpec().endSpec().withNewStatus().withPhase("Pending").endStatus().build());
        ConfigError unbound = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertTrue(unbound.getMessage().endsWith("persistentvolumeclaim \"data\" not bound"), unbound.getMessage());

        claims.put("ns/data", new PersistentVolumeClaimBuilder(claims.get("ns/data")).editSpec().withVolumeName("pv-1").endSpec()
                .editStatus().withPhase("Bound").endStatus().build());
        persistentVolumes.put("pv-1", new PersistentVolumeBuilder().withNewMetadata().withName("pv-1").endMetadata().withNewSpec()
                .withNewClaimRef().withNamespace("ns").withName("data").withUid("other").endClaimRef().withAccessModes("ReadWriteOnce")
                .withNewHostPath().withPath("/srv/pv-1").withType("DirectoryOrCreate").endHostPath().endSpec().build());
        ConfigError elsewhere = assertThrows(ConfigError.class, () -> volumes.setUp(pod, temp.resolve("pod"), facts));
        assertTrue(elsewhere.getMessage().contains("is not bound to claim"), elsewhere.getMessage());

        persistentVolumes.put("pv-1", new PersistentVolumeBuilder(persistentVolumes.get("pv-1")).editSpec().editClaimRef().withUid("c1")
                .endClaimRef().endSpec().build());
        assertEquals(hostPath.answer, volumes.setUp(pod, temp.resolve("pod"), facts).get("data"));
        VolumeRequest request = hostPath.setUps.get(0);
        assertEquals(new VolumeRef("hostPath", "data", "u", temp.resolve("pod/volumes/hostPath/data")), request.volume());
        assertEquals(Map.of("path", "/srv/pv-1", "type", "DirectoryOrCreate"), request.source());
        assertEquals("pv-1", ((Map<?, ?>) request.persistentVolume().get("metadata")).get("name"));

        persistentVolumes.put("pv-1", new PersistentVolumeBuilder(persistentVolumes.get("pv-1")).editSpec().withHostPath(null)
                .withNewNfs().withServer("nas").withPath("/export").endNfs().withMountOptions("nfsvers=4.1").endSpec().build());
        assertEquals(nfs.answer, volumes.setUp(pod, temp.resolve("pod"), facts).get("data"));
        assertEquals(Map.of("server", "nas", "path", "/export"), nfs.setUps.get(0).source());
        assertEquals(List.of("nfsvers=4.1"), ((Map<?, ?>) nfs.setUps.get(0).persistentVolume().get("spec")).get("mountOptions"));
    }

    @Test
    void tearDownGoesThroughThePluginsThenUnmountsWhatIsLeft() throws Exception {
        Recorder config = new Recorder(temp);
        plugins.addVolumes(config, Set.of("configMap"));
        Path podDir = temp.resolve("pod");
        Path cfg = Files.createDirectories(podDir.resolve("volumes/configMap/cfg"));
        Path orphan = Files.createDirectories(podDir.resolve("volumes/nfs/share")); // its plugin has gone
        Commands.run(List.of("mount", "-t", "tmpfs", "tmpfs", orphan.toString()));
        try {
            volumes.tearDown("u", podDir);
        } finally {
            if (PodVolumes.mountsUnder(orphan).contains(orphan)) {
                Commands.run(List.of("umount", orphan.toString()));
            }
        }
        assertEquals(List.of(new VolumeRef("configMap", "cfg", "u", cfg)), config.tearDowns, "the pod itself is not needed");
        assertEquals(List.of(), PodVolumes.mountsUnder(temp));
        assertFalse(Files.exists(podDir));
        volumes.tearDown("u", podDir);
    }
}
