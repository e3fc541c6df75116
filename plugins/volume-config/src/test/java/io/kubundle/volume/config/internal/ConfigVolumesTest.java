package io.kubundle.volume.config.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.volume.ObjectReader;
import io.kubundle.api.volume.PodFields;
import io.kubundle.api.volume.VolumeFailure;
import io.kubundle.api.volume.VolumeRef;
import io.kubundle.api.volume.VolumeRequest;

/** Volumes made for real on this host (tmpfs mounts need root, as the kubelet has). */
class ConfigVolumesTest {
    @TempDir
    Path temp;

    /** The API's objects by {@code kind/name}, as the kubelet's reader gives them. */
    private final Map<String, Map<String, Object>> objects = new ConcurrentHashMap<>();
    private final ConfigVolumes volumes = new ConfigVolumes();

    @AfterEach
    void unmount() throws Exception {
        Mounts.unmountAndDelete(temp.resolve("pod"));
        assertEquals(List.of(), Mounts.mountsUnder(temp));
    }

    /** A reader of {@link #objects}, for the test and for {@link ConfigVolumesBundleTest}. */
    static ObjectReader reader(Map<String, Map<String, Object>> objects) {
        return (apiVersion, kind, namespace, name) -> {
            assertEquals("v1", apiVersion);
            assertEquals("ns", namespace);
            return Optional.ofNullable(objects.get(kind + "/" + name));
        };
    }

    static VolumeRequest request(Path podDir, String type, Map<String, Object> source, ObjectReader reader) {
        PodFields fields = new PodFields() {
            @Override
            public String field(String fieldPath) throws VolumeFailure {
                if (!"metadata.name".equals(fieldPath)) {
                    throw new VolumeFailure("unsupported fieldPath: " + fieldPath);
                }
                return "p";
            }

            @Override
            public String resource(String container, String resource, String divisor) {
                return container + " " + resource + " " + divisor;
            }
        };
        Map<String, Object> pod = Map.of("metadata", Map.of("name", "p", "namespace", "ns", "labels", Map.of("app", "web")));
        return new VolumeRequest(new VolumeRef(type, "v", "u", podDir.resolve("volumes").resolve(type).resolve("v")), source, Map.of(),
                pod, reader, fields);
    }

    private Path setUp(String type, Map<String, Object> source) throws VolumeFailure {
        return volumes.setUp(request(temp.resolve("pod"), type, source, reader(objects)));
    }

    @Test
    void configMapFilesAreWrittenAtomicallyAndFollowUpdates() throws Exception {
        objects.put("ConfigMap/settings", Map.of("data", Map.of("a.conf", "one", "b.conf", "two")));
        Map<String, Object> source = Map.of("name", "settings", "defaultMode", 0600);
        Path dir = setUp("configMap", source);
        assertEquals("one", Files.readString(dir.resolve("a.conf")));
        assertTrue(Files.isSymbolicLink(dir.resolve("a.conf")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.conf"))));
        Path version = Files.readSymbolicLink(dir.resolve(AtomicWriter.DATA_LINK));

        setUp("configMap", source);
        assertEquals(version, Files.readSymbolicLink(dir.resolve(AtomicWriter.DATA_LINK)), "unchanged data is not rewritten");

        objects.put("ConfigMap/settings", Map.of("data", Map.of("a.conf", "uno"), "binaryData", Map.of("bin", "AAE=")));
        setUp("configMap", source);
        assertEquals("uno", Files.readString(dir.resolve("a.conf")));
        assertArrayEquals(new byte[] {0, 1}, Files.readAllBytes(dir.resolve("bin")));
        assertFalse(Files.exists(dir.resolve("b.conf"), LinkOption.NOFOLLOW_LINKS), "a removed key's file goes");
        assertFalse(Files.exists(dir.resolve(version)), "the old version is deleted");
    }

    @Test
    void secretsLiveOnTmpfsWithItemsAndModesUntilTornDown() throws Exception {
        objects.put("Secret/creds", Map.of("data", Map.of("password",
                Base64.getEncoder().encodeToString("hunter2".getBytes(StandardCharsets.UTF_8)), "user", "YWRtaW4=")));
        Path dir = setUp("secret", Map.of("secretName", "creds", "items", List.of(Map.of("key", "password", "path", "nested/pw",
                "mode", 0400))));
        assertEquals("hunter2", Files.readString(dir.resolve("nested/pw")));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("nested/pw"))));
        assertFalse(Files.exists(dir.resolve("user")), "only the listed items");
        assertTrue(Mounts.mountsUnder(temp).contains(dir), "a secret volume is a tmpfs");
        setUp("secret", Map.of("secretName", "creds"));
        assertEquals(1, Mounts.mountsUnder(temp).size(), "set up again: the same tmpfs");
        volumes.tearDown(request(temp.resolve("pod"), "secret", Map.of(), reader(objects)).volume());
        assertEquals(List.of(), Mounts.mountsUnder(temp));
        assertFalse(Files.exists(dir));
        volumes.tearDown(request(temp.resolve("pod"), "secret", Map.of(), reader(objects)).volume());
    }

    @Test
    void missingConfigMapOrKeyFailsUnlessOptional() throws Exception {
        VolumeFailure missing = assertThrows(VolumeFailure.class, () -> setUp("configMap", Map.of("name", "absent")));
        assertEquals("configmap \"absent\" not found", missing.getMessage());
        assertTrue(Files.isDirectory(setUp("configMap", Map.of("name", "absent", "optional", true))));
        objects.put("ConfigMap/settings", Map.of("data", Map.of("a", "1")));
        VolumeFailure key = assertThrows(VolumeFailure.class, () -> setUp("configMap", Map.of("name", "settings",
                "items", List.of(Map.of("key", "b", "path", "b")))));
        assertEquals("configmap references non-existent config key: b (ConfigMap settings)", key.getMessage());
        VolumeFailure secret = assertThrows(VolumeFailure.class, () -> setUp("secret", Map.of("secretName", "none")));
        assertEquals("secret \"none\" not found", secret.getMessage());
    }

    @Test
    void downwardApiAndProjectedWriteFields() throws Exception {
        Path info = setUp("downwardAPI", Map.of("items", List.of(
                Map.of("path", "labels", "fieldRef", Map.of("fieldPath", "metadata.labels")),
                Map.of("path", "name", "fieldRef", Map.of("fieldPath", "metadata.name")),
                Map.of("path", "cpu", "resourceFieldRef", Map.of("resource", "limits.cpu", "divisor", "1m")))));
        assertEquals("app=\"web\"", Files.readString(info.resolve("labels")));
        assertEquals("p", Files.readString(info.resolve("name")));
        assertEquals("null limits.cpu 1m", Files.readString(info.resolve("cpu")));
        VolumeFailure unsupported = assertThrows(VolumeFailure.class, () -> setUp("downwardAPI", Map.of("items", List.of(
                Map.of("path", "x", "fieldRef", Map.of("fieldPath", "status.phase"))))));
        assertEquals("unsupported fieldPath: status.phase", unsupported.getMessage());

        objects.put("ConfigMap/settings", Map.of("data", Map.of("mode", "first")));
        objects.put("Secret/creds", Map.of("stringData", Map.of("token", "t")));
        Path all = setUp("projected", Map.of("defaultMode", 0640, "sources", List.of(
                Map.of("configMap", Map.of("name", "settings")),
                Map.of("secret", Map.of("name", "creds", "items", List.of(Map.of("key", "token", "path", "auth/token")))),
                Map.of("downwardAPI", Map.of("items", List.of(Map.of("path", "name",
                        "fieldRef", Map.of("fieldPath", "metadata.name"))))))));
        assertEquals("first", Files.readString(all.resolve("mode")));
        assertEquals("t", Files.readString(all.resolve("auth/token")));
        assertEquals("p", Files.readString(all.resolve("name")));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(all.resolve("mode"))));
    }

    @Test
    void pathsEscapingTheVolumeAreRefused() {
        assertThrows(java.io.IOException.class, () -> AtomicWriter.write(temp.resolve("v"),
                Map.of("../evil", new AtomicWriter.Payload(new byte[0], 0644))));
        assertFalse(Files.exists(temp.resolve("evil")));
    }
}
