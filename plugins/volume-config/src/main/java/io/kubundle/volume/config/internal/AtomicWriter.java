package io.kubundle.volume.config.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes the files of a configMap, secret or downwardAPI volume so that a running container sees
 * either the old set or the new one, never a mix, as Kubernetes' atomic writer does: the files go
 * into a new hidden directory {@code ..<time>}, the symbolic link {@code ..data} is switched to it
 * with one rename, and each visible name is a link through {@code ..data}.
 */
final class AtomicWriter {
    static final String DATA_LINK = "..data";

    /** A file's content and mode ({@code 0644} is {@code 420}). */
    record Payload(byte[] content, int mode) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Payload that && mode == that.mode && Arrays.equals(content, that.content);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(content) + mode;
        }
    }

    private AtomicWriter() {
    }

    /**
     * Makes {@code dir} hold exactly {@code files} (relative paths), changing nothing when it already
     * does.
     *
     * @return whether anything changed
     */
    static boolean write(Path dir, Map<String, Payload> files) throws IOException {
        for (String path : files.keySet()) {
            Path relative = Path.of(path).normalize();
            if (path.isEmpty() || relative.isAbsolute() || relative.startsWith("..") || path.startsWith("..")) {
                throw new IOException("invalid path " + path + ": must be relative and may not contain '..'");
            }
        }
        Files.createDirectories(dir);
        Path data = dir.resolve(DATA_LINK);
        if (Files.isSymbolicLink(data) && current(dir.resolve(Files.readSymbolicLink(data))).equals(new TreeMap<>(files))) {
            return false;
        }
        Path version = Files.createDirectory(dir.resolve(".." + Instant.now().toString().replace(':', '_') + "." + System.nanoTime()));
        for (Map.Entry<String, Payload> file : files.entrySet()) {
            Path target = version.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue().content());
            Files.setPosixFilePermissions(target, permissions(file.getValue().mode()));
        }
        Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        Path newLink = dir.resolve("..data_tmp");
        Files.deleteIfExists(newLink);
        Files.createSymbolicLink(newLink, version.getFileName());
        Files.move(newLink, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        Set<String> visible = new HashSet<>();
        for (String path : files.keySet()) {
            visible.add(Path.of(path).getName(0).toString());
        }
        for (String name : visible) {
            Path link = dir.resolve(name);
            if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of(DATA_LINK, name));
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith("..") && !visible.contains(name) && Files.isSymbolicLink(entry)) {
                    Files.delete(entry);
                }
            }
        }
        if (old != null && !old.equals(version)) {
            deleteTree(old);
        }
        return true;
    }

    private static Map<String, Payload> current(Path version) throws IOException {
        Map<String, Payload> files = new TreeMap<>();
        if (!Files.isDirectory(version)) {
            return files;
        }
        try (var walk = Files.walk(version)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                files.put(version.relativize(file).toString(), new Payload(Files.readAllBytes(file), mode(file)));
            }
        }
        return files;
    }

    private static int mode(Path file) throws IOException {
        int mode = 0;
        for (PosixFilePermission permission : Files.getPosixFilePermissions(file)) {
            mode |= 1 << (8 - permission.ordinal());
        }
        return mode;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = new HashSet<>();
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                permissions.add(all[i]);
            }
        }
        return permissions;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
