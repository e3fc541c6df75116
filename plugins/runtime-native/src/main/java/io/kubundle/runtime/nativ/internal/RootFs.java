package io.kubundle.runtime.nativ.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.Mount;
import io.kubundle.runtime.support.ProcessSpec;

/**
 * Paths inside a container's root file system as the container will see them, read from the host
 * before the container runs. Symbolic links are followed as if the root were {@code /}: an image
 * whose {@code /etc/hosts} links to {@code /etc/passwd} must not make the runtime write the host's.
 */
final class RootFs {
    private static final int MAX_LINKS = 40;

    private final Path root;
    private final List<Mount> mounts;

    /**
     * @param root the root file system's directory on the host
     * @param mounts the container's bind mounts, which hide what the root has at their paths
     */
    RootFs(Path root, List<Mount> mounts) {
        this.root = root;
        this.mounts = mounts;
    }

    /** The uid and gid as {@link ProcessSpec#user} merges them, the image's /etc/passwd and /etc/group read through this root. */
    long[] user(ContainerConfig.Security security, String imageUser) throws IOException {
        // read as the container would, links resolved inside the image (never the host's files)
        return ProcessSpec.user(security, imageUser, resolve("/etc/passwd"), resolve("/etc/group"));
    }

    /** The host path of a container path, every link resolved within the root; missing tails are kept as they are. */
    Path resolve(String containerPath) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, containerPath);
        Path current = root;
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            Path next = current.resolve(name);
            if (!Files.isSymbolicLink(next)) {
                current = next;
                continue;
            }
            if (++links > MAX_LINKS) {
                throw new IOException("too many levels of symbolic links in " + containerPath);
            }
            String target = Files.readSymbolicLink(next).toString();
            push(todo, target);
            if (target.startsWith("/")) {
                current = root;
            }
        }
        return current;
    }

    /** Pushes the names of a path so that the first is on top. */
    private static void push(Deque<String> todo, String path) {
        String[] names = path.split("/");
        for (int i = names.length - 1; i >= 0; i--) {
            todo.push(names[i]);
        }
    }

    /** Makes a directory at a container path (and its parents) unless something is there; returns its host path. */
    Path directory(String containerPath) throws IOException {
        Path path = resolve(containerPath);
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(path);
        }
        return path;
    }

    /** Makes an empty file at a container path (and its parent directories) unless something is there. */
    Path file(String containerPath) throws IOException {
        Path path = resolve(containerPath);
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(path.getParent());
            Files.createFile(path);
        }
        return path;
    }

    /**
     * Where the container's exec finds a command, as runc reports it when it does not: a name is
     * looked up in {@code PATH}, a path is taken as it is, through the bind mounts.
     *
     * @return empty if it is there and executable, else the message
     */
    Optional<String> commandProblem(String command, String path) throws IOException {
        if (command.contains("/")) {
            String absolute = command.startsWith("/") ? command : "/" + command;
            return executable(absolute) ? Optional.empty()
                    : Optional.of("exec: \"" + command + "\": stat " + command + ": no such file or directory");
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && executable(dir + "/" + command)) {
                return Optional.empty();
            }
        }
        return Optional.of("exec: \"" + command + "\": executable file not found in $PATH");
    }

    private boolean executable(String containerPath) throws IOException {
        Path host = null;
        for (Mount mount : mounts) {
            String target = mount.containerPath().replaceAll("/+$", "");
            if (containerPath.startsWith(target + "/")) {
                host = Path.of(mount.hostPath(), containerPath.substring(target.length() + 1));
            }
        }
        if (host == null) {
            host = resolve(containerPath);
        }
        return Files.isRegularFile(host) && Files.isExecutable(host);
    }
}
