package io.kubundle.runtime.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ImageService.ImageConfig;

/**
 * A container's process from the image's config and the container's, merged as Docker does:
 * command line, environment and user.
 */
public final class ProcessSpec {
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ProcessSpec() {
    }

    /**
     * The command line as Docker and Kubernetes merge them: the config's command replaces the
     * image's entrypoint and drops its cmd; the config's args replace the image's cmd.
     */
    public static List<String> args(ContainerConfig config, ImageConfig image) {
        List<String> args = new ArrayList<>();
        if (!config.command().isEmpty()) {
            args.addAll(config.command());
            args.addAll(config.args());
        } else {
            args.addAll(image.entrypoint());
            args.addAll(config.args().isEmpty() ? image.cmd() : config.args());
        }
        return args;
    }

    /** The image's variables, then the config's (replacing same names in place), PATH and HOSTNAME if missing. */
    public static List<String> env(ContainerConfig config, ImageConfig image, String hostname) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : image.env()) {
            int eq = entry.indexOf('=');
            env.put(eq < 0 ? entry : entry.substring(0, eq), eq < 0 ? "" : entry.substring(eq + 1));
        }
        for (ContainerConfig.EnvVar var : config.env()) {
            env.put(var.name(), var.value());
        }
        env.putIfAbsent("PATH", DEFAULT_PATH.substring("PATH=".length()));
        if (hostname != null) {
            env.putIfAbsent("HOSTNAME", hostname);
        }
        List<String> entries = new ArrayList<>();
        env.forEach((name, value) -> entries.add(name + "=" + value));
        return entries;
    }

    /**
     * The uid and gid: the config's, else the image's user ({@code uid}, {@code uid:gid}, names
     * looked up in the root file system's /etc/passwd and /etc/group), else root. The runtime
     * resolves those two files in the root file system, as it reads the image's files.
     */
    public static long[] user(ContainerConfig.Security security, String imageUser, Path passwd, Path group)
            throws IOException {
        long uid = 0;
        long gid = 0;
        String user = imageUser == null ? "" : imageUser;
        String userPart = user.contains(":") ? user.substring(0, user.indexOf(':')) : user;
        String groupPart = user.contains(":") ? user.substring(user.indexOf(':') + 1) : "";
        if (security.runAsUser() != null) {
            uid = security.runAsUser();
            gid = lookup(passwd, Long.toString(uid), 2, 3).orElse(0L);
        } else if (!userPart.isEmpty()) {
            uid = numberOrName(userPart, passwd, 2);
            gid = lookup(passwd, userPart, userPart.matches("\\d+") ? 2 : 0, 3).orElse(0L);
        }
        if (security.runAsGroup() != null) {
            gid = security.runAsGroup();
        } else if (security.runAsUser() == null && !groupPart.isEmpty()) {
            gid = numberOrName(groupPart, group, 2);
        }
        return new long[] {uid, gid};
    }

    private static long numberOrName(String value, Path file, int idField) throws IOException {
        if (value.matches("\\d+")) {
            return Long.parseLong(value);
        }
        return lookup(file, value, 0, idField)
                .orElseThrow(() -> new IOException("no " + value + " in the image's " + file.getFileName()));
    }

    /** In a passwd-style file, the numeric field {@code result} of the line whose field {@code key} is {@code value}. */
    private static Optional<Long> lookup(Path file, String value, int key, int result) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(file)) {
            String[] fields = line.split(":", -1);
            if (fields.length > Math.max(key, result) && fields[key].equals(value) && fields[result].matches("\\d+")) {
                return Optional.of(Long.parseLong(fields[result]));
            }
        }
        return Optional.empty();
    }
}
