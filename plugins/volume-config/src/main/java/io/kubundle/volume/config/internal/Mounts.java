package io.kubundle.volume.config.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** tmpfs mounts and the host tools ({@code mount}, {@code umount}) the JVM cannot replace, with a time limit. */
final class Mounts {
    private Mounts() {
    }

    /** Mounts a tmpfs on {@code dir} unless one is there already (set-up runs at every sync). */
    static void tmpfs(Path dir, String sizeBytes) throws IOException {
        if (mountsUnder(dir).contains(dir.toAbsolutePath().normalize())) {
            return;
        }
        String options = "mode=0777" + (sizeBytes == null ? "" : ",size=" + sizeBytes);
        run(List.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString()));
    }

    /** Unmounts every mount at or under {@code dir}, deepest first, and deletes it. */
    static void unmountAndDelete(Path dir) throws IOException {
        List<Path> mounts = mountsUnder(dir);
        mounts.sort(Comparator.comparing(Path::toString).reversed());
        for (Path mount : mounts) {
            run(List.of("umount", mount.toString()));
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (var walk = Files.walk(dir)) {
                for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    static List<Path> mountsUnder(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        List<Path> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] fields = line.split(" ");
            if (fields.length > 1) {
                Path mountPoint = Path.of(fields[1].replace("\\040", " "));
                if (mountPoint.startsWith(root)) {
                    mounts.add(mountPoint);
                }
            }
        }
        return mounts;
    }

    /**
     * Runs a command and returns what it printed.
     *
     * @throws IOException with the command's stderr when it fails or takes over 30 s
     */
    static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            // output is small for the commands used here; read both before waiting
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": " + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
    }
}
