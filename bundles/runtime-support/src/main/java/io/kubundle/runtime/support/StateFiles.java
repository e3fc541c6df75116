package io.kubundle.runtime.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.kubundle.api.runtime.RuntimeFailure;

/** A runtime's state directory: where it is, its entries, their ids, and removing them. */
public final class StateFiles {
    private StateFiles() {
    }

    /**
     * The configured directory, else {@code <dataDir>/runtime/<runtime>} ({@code dataDir} is the
     * framework's {@code kubundle.data.dir}; without one, {@code ~/.kubundle}).
     */
    public static Path rootDir(String configured, String dataDir, String runtime) {
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        Path base = dataDir != null ? Path.of(dataDir) : Path.of(System.getProperty("user.home"), ".kubundle");
        return base.resolve("runtime").resolve(runtime);
    }

    /** Makes a directory only root reads: the records hold the containers' environment, secrets included. */
    public static Path privateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** A new sandbox or container id. */
    public static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** The names of the directories in a directory: the ids of its sandboxes or containers. */
    public static List<String> ids(Path dir) throws RuntimeFailure {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            entries.forEach(entry -> ids.add(entry.getFileName().toString()));
        } catch (IOException e) {
            throw new RuntimeFailure("RuntimeError", "cannot list " + dir + ": " + e.getMessage(), e);
        }
        return ids;
    }

    /**
     * The directories in these that have no record ({@code container.json}, {@code sandbox.json})
     * and are older than {@code age}: what a create interrupted by a JVM death left. Only old ones:
     * another instance of the runtime (during a bundle swap) may be making one right now.
     */
    public static List<Path> orphans(List<Path> dirs, Duration age) throws IOException {
        Instant before = Instant.now().minus(age);
        List<Path> orphans = new ArrayList<>();
        for (Path dir : dirs) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path entry : entries) {
                    boolean recorded = Files.exists(entry.resolve("container.json"))
                            || Files.exists(entry.resolve("sandbox.json"));
                    if (!recorded && Files.getLastModifiedTime(entry).toInstant().isBefore(before)) {
                        orphans.add(entry);
                    }
                }
            }
        }
        return orphans;
    }

    /** Writes a record ({@link Records#write}), failing as the runtime API does. */
    public static void write(Path file, Object record) throws RuntimeFailure {
        try {
            Records.write(file, record);
        } catch (IOException e) {
            throw new RuntimeFailure("RuntimeError", "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static void touch(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
    }

    /** Deletes a directory and what is in it; a link is deleted, never followed. Missing is fine. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
