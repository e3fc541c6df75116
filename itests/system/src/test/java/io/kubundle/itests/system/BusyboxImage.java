package io.kubundle.itests.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A container image the tests build themselves (no registry on the internet here): one layer with
 * Debian's static busybox and a link for each of its applets, written as a docker archive
 * ({@code docker save}'s format) with {@code tar}.
 */
final class BusyboxImage {
    static final Path BUSYBOX = Path.of("/bin/busybox");

    private BusyboxImage() {
    }

    /** Writes the archive of image {@code name} (such as {@code localhost/busybox:1.0}) into {@code dir}. */
    static Path dockerArchive(Path dir, String name) throws IOException, InterruptedException {
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        for (String d : List.of("tmp", "etc", "proc", "sys", "dev", "root", "var/www")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(BUSYBOX, bin.resolve("busybox"));
        for (String applet : Distribution.run(List.of(BUSYBOX.toString(), "--list")).out().split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox") && !Files.exists(bin.resolve(applet))) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Path archiveDir = Files.createDirectories(dir.resolve("archive"));
        tar(rootfs, archiveDir.resolve("layer.tar"));
        String diffId = "sha256:" + sha256(archiveDir.resolve("layer.tar"));
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:"
                + "/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"sh\"],\"WorkingDir\":\"/\"},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + diffId + "\"]}}";
        String configName = sha256(config.getBytes(StandardCharsets.UTF_8)) + ".json";
        Files.writeString(archiveDir.resolve(configName), config);
        Files.writeString(archiveDir.resolve("manifest.json"), "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + name
                + "\"],\"Layers\":[\"layer.tar\"]}]");
        Path archive = dir.resolve("image.tar");
        tar(archiveDir, archive);
        return archive;
    }

    private static void tar(Path dir, Path target) throws IOException, InterruptedException {
        Distribution.Result result = Distribution.run(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", dir.toString(),
                "-cf", target.toString(), "."));
        if (result.exitCode() != 0) {
            throw new IOException("tar: " + result.err());
        }
    }

    private static String sha256(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
