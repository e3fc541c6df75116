package io.kubundle.volume.local.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import io.kubundle.api.volume.VolumeFailure;
import io.kubundle.api.volume.VolumePlugin;
import io.kubundle.api.volume.VolumeRef;
import io.kubundle.api.volume.VolumeRequest;

/**
 * The node's own storage: {@code emptyDir} (the volume's directory, or a tmpfs on it for
 * {@code medium: Memory} with its {@code sizeLimit}), {@code hostPath} (the host's path itself,
 * checked or made as its {@code type} says) and {@code local} persistent volumes (an existing path).
 * It keeps nothing in memory: what a volume is, is on the host, so any instance tears down what
 * another made, and stopping it leaves every volume as it is.
 */
@Component(property = {VolumePlugin.TYPES_PROPERTY + "=emptyDir", VolumePlugin.TYPES_PROPERTY + "=hostPath",
        VolumePlugin.TYPES_PROPERTY + "=local"})
public final class LocalVolumes implements VolumePlugin {

    @Override
    public Path setUp(VolumeRequest request) throws VolumeFailure {
        Map<String, Object> source = request.source();
        try {
            return switch (request.volume().type()) {
                case "emptyDir" -> emptyDir(request.volume().directory(), source);
                case "hostPath" -> hostPath(string(source, "path"), string(source, "type"));
                case "local" -> local(string(source, "path"));
                default -> throw new VolumeFailure("volume type " + request.volume().type() + " is not one of emptyDir, hostPath, local");
            };
        } catch (IOException e) {
            throw new VolumeFailure(e.getMessage(), e);
        }
    }

    /** An emptyDir's data goes with its pod; hostPath and local data stays on the host. */
    @Override
    public void tearDown(VolumeRef volume) throws VolumeFailure {
        if ("emptyDir".equals(volume.type())) {
            try {
                Mounts.unmountAndDelete(volume.directory());
            } catch (IOException e) {
                throw new VolumeFailure(e.getMessage(), e);
            }
        }
    }

    private static Path emptyDir(Path dir, Map<String, Object> source) throws IOException, VolumeFailure {
        Files.createDirectories(dir);
        if ("Memory".equals(source.get("medium"))) {
            Object limit = source.get("sizeLimit");
            Mounts.tmpfs(dir, limit == null ? null : Quantities.bytes(limit.toString()).toString());
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    private static Path local(String path) throws VolumeFailure {
        Path local = Path.of(required(path));
        if (!Files.exists(local)) {
            throw new VolumeFailure("local volume path \"" + local + "\" does not exist");
        }
        return local;
    }

    /** A hostPath volume: the host's path itself, checked (or made) as its {@code type} says. */
    static Path hostPath(String hostPath, String type) throws VolumeFailure, IOException {
        Path path = Path.of(required(hostPath));
        boolean exists = Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.exists(path);
        switch (type == null ? "" : type) {
            case "" -> { }
            case "DirectoryOrCreate" -> {
                if (!exists) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (!Files.isDirectory(path)) {
                    throw new VolumeFailure("hostPath type check failed: " + path + " is not a directory");
                }
            }
            case "Directory" -> require(Files.isDirectory(path), path, "a directory");
            case "FileOrCreate" -> {
                if (!exists) {
                    if (!Files.isDirectory(path.getParent())) {
                        throw new VolumeFailure("hostPath type check failed: parent of " + path + " does not exist");
                    }
                    Files.createFile(path);
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
                } else if (!Files.isRegularFile(path)) {
                    throw new VolumeFailure("hostPath type check failed: " + path + " is not a file");
                }
            }
            case "File" -> require(Files.isRegularFile(path), path, "a file");
            case "Socket", "CharDevice", "BlockDevice" -> {
                require(exists, path, "a " + type);
                PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class);
                boolean ok = attributes.isOther() && switch (type) {
                    case "Socket" -> fileType(path).equals("socket");
                    case "CharDevice" -> fileType(path).equals("character special file");
                    default -> fileType(path).equals("block special file");
                };
                require(ok, path, "a " + type);
            }
            default -> throw new VolumeFailure("hostPath type " + type + " is not valid");
        }
        if (!Files.exists(path)) {
            // type "" does no check, but the runtime cannot bind-mount nothing
            throw new VolumeFailure("hostPath " + path + " does not exist");
        }
        return path;
    }

    private static String fileType(Path path) throws IOException {
        return Mounts.run(List.of("stat", "-c", "%F", path.toString())).strip();
    }

    private static void require(boolean ok, Path path, String what) throws VolumeFailure {
        if (!ok) {
            throw new VolumeFailure("hostPath type check failed: " + path + " is not " + what);
        }
    }

    private static String required(String path) throws VolumeFailure {
        if (path == null || path.isEmpty()) {
            throw new VolumeFailure("the volume names no path");
        }
        return path;
    }

    private static String string(Map<String, Object> source, String key) throws VolumeFailure {
        Object value = source.get(key);
        if (value != null && !(value instanceof String)) {
            throw new VolumeFailure(key + " is not a string: " + value);
        }
        return (String) value;
    }
}
