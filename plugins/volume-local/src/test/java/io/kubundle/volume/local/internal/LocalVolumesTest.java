package io.kubundle.volume.local.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.volume.PodFields;
import io.kubundle.api.volume.VolumeFailure;
import io.kubundle.api.volume.VolumeRef;
import io.kubundle.api.volume.VolumeRequest;

/** Volumes made for real on this host (tmpfs mounts need root, as the kubelet has). */
class LocalVolumesTest {
    @TempDir
    Path temp;

    private final LocalVolumes volumes = new LocalVolumes();

    @AfterEach
    void unmount() throws Exception {
        Mounts.unmountAndDelete(temp.resolve("pod"));
        assertEquals(List.of(), Mounts.mountsUnder(temp));
    }

    private VolumeRef ref(String type) {
        return new VolumeRef(type, "v", "u", temp.resolve("pod/volumes").resolve(type).resolve("v"));
    }

    private Path setUp(String type, Map<String, Object> source) throws VolumeFailure {
        PodFields none = new PodFields() {
            @Override
            public String field(String fieldPath) {
                throw new AssertionError(fieldPath);
            }

            @Override
            public String resource(String container, String resource, String divisor) {
                throw new AssertionError(resource);
            }
        };
        return volumes.setUp(new VolumeRequest(ref(type), source, Map.of(), Map.of(), (v, k, n, name) -> Optional.empty(), none));
    }

    private static Map<String, Object> hostPath(Path path, String type) {
        Map<String, Object> source = new HashMap<>();
        source.put("path", path.toString());
        if (type != null) {
            source.put("type", type);
        }
        return source;
    }

    @Test
    void emptyDirInMemoryIsASizedTmpfsGoneAtTearDown() throws Exception {
        Path scratch = setUp("emptyDir", Map.of("medium", "Memory", "sizeLimit", "1Mi"));
        assertEquals(ref("emptyDir").directory(), scratch);
        assertTrue(Mounts.mountsUnder(temp).contains(scratch));
        assertEquals(1024 * 1024, Files.getFileStore(scratch).getTotalSpace());
        assertEquals(scratch, setUp("emptyDir", Map.of("medium", "Memory", "sizeLimit", "1Mi")), "again: the same tmpfs");
        assertEquals(1, Mounts.mountsUnder(temp).size());
        volumes.tearDown(ref("emptyDir"));
        assertEquals(List.of(), Mounts.mountsUnder(temp));
        assertFalse(Files.exists(scratch));
        volumes.tearDown(ref("emptyDir"));
    }

    @Test
    void emptyDirOnDiskIsWorldWritable() throws Exception {
        Path dir = setUp("emptyDir", Map.of());
        assertEquals("rwxrwxrwx", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(List.of(), Mounts.mountsUnder(temp));
    }

    @Test
    void hostPathTypesAreCheckedOrCreated() throws Exception {
        Path made = temp.resolve("made/deep");
        assertEquals(made, setUp("hostPath", hostPath(made, "DirectoryOrCreate")));
        assertTrue(Files.isDirectory(made));
        Path file = temp.resolve("made/f");
        setUp("hostPath", hostPath(file, "FileOrCreate"));
        assertTrue(Files.isRegularFile(file));
        VolumeFailure notDir = assertThrows(VolumeFailure.class, () -> setUp("hostPath", hostPath(file, "Directory")));
        assertEquals("hostPath type check failed: " + file + " is not a directory", notDir.getMessage());
        VolumeFailure missing = assertThrows(VolumeFailure.class, () -> setUp("hostPath", hostPath(temp.resolve("absent"), null)));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        assertThrows(VolumeFailure.class, () -> setUp("hostPath", hostPath(Path.of("/dev/null"), "BlockDevice")));
        setUp("hostPath", hostPath(Path.of("/dev/null"), "CharDevice"));
        volumes.tearDown(ref("hostPath"));
        assertTrue(Files.isDirectory(made), "tearing down leaves the host's data");
    }

    @Test
    void aLocalVolumeIsAnExistingPath() throws Exception {
        Path local = Files.createDirectories(temp.resolve("disk"));
        assertEquals(local, setUp("local", Map.of("path", local.toString())));
        Files.delete(local);
        VolumeFailure gone = assertThrows(VolumeFailure.class, () -> setUp("local", Map.of("path", local.toString())));
        assertEquals("local volume path \"" + local + "\" does not exist", gone.getMessage());
    }

    @Test
    void quantitiesAreBytes() throws Exception {
        assertEquals(BigInteger.valueOf(1 << 20), Quantities.bytes("1Mi"));
        assertEquals(BigInteger.valueOf(1_500_000), Quantities.bytes("1.5M"));
        assertEquals(BigInteger.valueOf(1000), Quantities.bytes("1e3"));
        assertEquals(BigInteger.valueOf(128), Quantities.bytes("128"));
        assertThrows(VolumeFailure.class, () -> Quantities.bytes("lots"));
    }
}
