package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Rotates container logs by size, as the kubelet's container log manager does
 * ({@code containerLogMaxSize}, {@code containerLogMaxFiles}): a log over the size is renamed to
 * {@code <name>.<time>}, and the oldest rotated files beyond the count are deleted. The runtime
 * opens the log path for each write, so its next line starts a new file; no line is lost.
 */
final class LogRotation {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss.SSSSSSSSS").withZone(ZoneOffset.UTC);

    private final long maxBytes;
    private final int maxFiles;

    /**
     * @param maxBytes the size over which a log is rotated
     * @param maxFiles how many files a container's log may have, the live one included (at least 2)
     */
    LogRotation(long maxBytes, int maxFiles) {
        this.maxBytes = maxBytes;
        this.maxFiles = Math.max(2, maxFiles);
    }

    /** Rotates one container's log if it grew over the size; returns whether it did. */
    boolean rotate(Path log, Instant now) throws IOException {
        if (!Files.isRegularFile(log) || Files.size(log) <= maxBytes) {
            return false;
        }
        Files.move(log, log.resolveSibling(log.getFileName() + "." + STAMP.format(now)), StandardCopyOption.ATOMIC_MOVE);
        List<Path> rotated = rotated(log);
        rotated.sort(Comparator.comparing(Path::toString));
        for (Path old : rotated.subList(0, Math.max(0, rotated.size() - (maxFiles - 1)))) {
            Files.deleteIfExists(old);
        }
        return true;
    }

    /** The rotated files of a log, oldest first. */
    static List<Path> rotated(Path log) throws IOException {
        List<Path> rotated = new ArrayList<>();
        if (!Files.isDirectory(log.getParent())) {
            return rotated;
        }
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(log.getParent(), log.getFileName() + ".*")) {
            siblings.forEach(rotated::add);
        }
        rotated.sort(Comparator.comparing(Path::toString));
        return rotated;
    }
}
