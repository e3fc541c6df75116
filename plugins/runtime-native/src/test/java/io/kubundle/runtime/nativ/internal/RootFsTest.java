package io.kubundle.runtime.nativ.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.Mount;

/** Paths in a root file system resolve as the container sees them, never onto the host's. */
final class RootFsTest {
    @TempDir
    Path root;

    @Test
    void linksResolveInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("etc/hosts"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../.."));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        RootFs rootfs = new RootFs(root, List.of());
        assertEquals(root.resolve("etc/passwd"), rootfs.resolve("/etc/hosts"));
        assertEquals(root.resolve("etc"), rootfs.resolve("/up/etc"));
        assertEquals(root.resolve("etc"), rootfs.resolve("/../../etc"));
        assertEquals(root.resolve("usr/bin/sh"), rootfs.resolve("/bin/sh"));
        assertEquals(root.resolve("etc/passwd"), rootfs.file("/etc/hosts"));
        assertTrue(Files.isRegularFile(root.resolve("etc/passwd")), "made inside the root");
        assertEquals(root.resolve("usr/bin/new/dir"), rootfs.directory("/bin/new/dir"));
    }

    @Test
    void theImagesUsersAreReadThroughLinksInsideTheImage() throws Exception {
        Files.createDirectories(root.resolve("etc/real"));
        Files.writeString(root.resolve("etc/real/passwd"), "app:x:1000:1001::/:/bin/sh\n");
        Files.writeString(root.resolve("etc/real/group"), "staff:x:50:\n");
        Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/etc/real/passwd"));
        Files.createSymbolicLink(root.resolve("etc/group"), Path.of("/etc/real/group"));
        RootFs rootfs = new RootFs(root, List.of());
        assertEquals(List.of(1000L, 50L), Arrays.stream(rootfs.user(ContainerConfig.Security.DEFAULT, "app:staff"))
                .boxed().toList());
        assertEquals(List.of(1000L, 1001L), Arrays.stream(rootfs.user(ContainerConfig.Security.DEFAULT, "app"))
                .boxed().toList());
        assertThrows(IOException.class, () -> rootfs.user(ContainerConfig.Security.DEFAULT, "root"),
                "the host's root is not the image's");
    }

    @Test
    void aLinkLoopIsAnError() throws Exception {
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("/a"));
        assertThrows(IOException.class, () -> new RootFs(root, List.of()).resolve("/a/x"));
    }

    @Test
    void findsCommandsInPathThroughLinksAndMounts(@TempDir Path volume) throws Exception {
        Files.createDirectories(root.resolve("usr/bin"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("/usr/bin"));
        Files.writeString(root.resolve("usr/bin/tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(root.resolve("usr/bin/tool"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("usr/bin/data"), "not executable\n");
        Files.writeString(volume.resolve("script"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(volume.resolve("script"), PosixFilePermissions.fromString("rwxr-xr-x"));
        RootFs rootfs = new RootFs(root, List.of(new Mount(volume.toString(), "/scripts", true)));
        assertEquals(Optional.empty(), rootfs.commandProblem("tool", "/sbin:/bin"));
        assertEquals(Optional.empty(), rootfs.commandProblem("/bin/tool", ""));
        assertEquals(Optional.empty(), rootfs.commandProblem("/scripts/script", ""));
        assertTrue(rootfs.commandProblem("data", "/bin").orElseThrow().contains("executable file not found in $PATH"));
        assertTrue(rootfs.commandProblem("/no/such", "/bin").orElseThrow().contains("/no/such"));
        assertFalse(Files.exists(root.resolve("no")));
    }
}
