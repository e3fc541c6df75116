package io.kubundle.runtime.runc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.runtime.ContainerConfig.Security;

/** How the image's user and the container's merge, as Docker and Kubernetes do. */
final class OciSpecTest {
    @TempDir
    Path rootfs;

    @Test
    void resolvesUsersAndGroupsInTheImage() throws IOException {
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "app:x:1001:\nstaff:x:50:\n");
        assertArrayEquals(new long[] {0, 0}, OciSpec.user(Security.DEFAULT, "", rootfs));
        assertArrayEquals(new long[] {1000, 1001}, OciSpec.user(Security.DEFAULT, "app", rootfs));
        assertArrayEquals(new long[] {1000, 1001}, OciSpec.user(Security.DEFAULT, "1000", rootfs));
        assertArrayEquals(new long[] {1000, 50}, OciSpec.user(Security.DEFAULT, "app:staff", rootfs));
        assertArrayEquals(new long[] {7, 8}, OciSpec.user(Security.DEFAULT, "7:8", rootfs));
        assertArrayEquals(new long[] {1000, 1001}, OciSpec.user(new Security(1000L, null, false, false), "7:8", rootfs));
        assertArrayEquals(new long[] {5, 0}, OciSpec.user(new Security(5L, null, false, false), "", rootfs));
        assertArrayEquals(new long[] {1000, 9}, OciSpec.user(new Security(null, 9L, false, false), "app:staff", rootfs));
        assertThrows(IOException.class, () -> OciSpec.user(Security.DEFAULT, "nobody", rootfs));
    }

    @Test
    void aPasswdLinkingOutOfTheImageIsNotRead() throws IOException {
        Path outside = Files.writeString(rootfs.resolveSibling(rootfs.getFileName() + "-host-passwd"),
                "secret:x:4242:4242::/:/bin/sh\n");
        try {
            Files.createDirectories(rootfs.resolve("etc"));
            Files.createSymbolicLink(rootfs.resolve("etc/passwd"), outside);
            assertThrows(IOException.class, () -> OciSpec.user(Security.DEFAULT, "secret", rootfs));
        } finally {
            Files.delete(outside);
        }
    }
}
