package io.kubundle.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bundle set of each role, read from {@code etc/roles.properties}: the one place that says
 * which bundles a role runs. Each role is a comma-separated list of jar file names in
 * {@code bundles/} (globs allowed, each must match exactly one file) and other roles written
 * {@code @role}.
 */
final class RoleSets {
    private final Properties roles;
    private final Path source;

    private RoleSets(Properties roles, Path source) {
        this.roles = roles;
        this.source = source;
    }

    static RoleSets load(Path rolesFile) throws LaunchException {
        Properties roles = new Properties();
        try (Reader reader = Files.newBufferedReader(rolesFile)) {
            roles.load(reader);
        } catch (IOException e) {
            throw new LaunchException("cannot read the role definitions " + rolesFile + ": " + e.getMessage(), e);
        }
        return new RoleSets(roles, rolesFile);
    }

    Set<String> roleNames() {
        return new TreeSet<>(roles.stringPropertyNames());
    }

    /** The jar patterns of a role, with included roles expanded in place, first mention wins. */
    List<String> patterns(String role) throws LaunchException {
        LinkedHashSet<String> patterns = new LinkedHashSet<>();
        expand(role, new ArrayList<>(), patterns);
        return List.copyOf(patterns);
    }

    private void expand(String role, List<String> path, Set<String> into) throws LaunchException {
        String value = roles.getProperty(role);
        if (value == null) {
            String where = path.isEmpty() ? "" : " (included by @" + path.get(path.size() - 1) + ")";
            throw new LaunchException("unknown role '" + role + "'" + where + ": " + source.getFileName()
                    + " defines " + String.join(", ", roleNames()));
        }
        if (path.contains(role)) {
            throw new LaunchException("role '" + role + "' includes itself: " + String.join(" -> @", path) + " -> @" + role);
        }
        path.add(role);
        for (String entry : value.split(",")) {
            String item = entry.trim();
            if (item.isEmpty()) {
                continue;
            }
            if (item.startsWith("@")) {
                expand(item.substring(1), path, into);
            } else {
                into.add(item);
            }
        }
        path.remove(path.size() - 1);
    }

    /** The jars of a role, in the order the roles file lists them. */
    List<Path> jars(String role, Path bundlesDir) throws LaunchException {
        List<Path> jars = new ArrayList<>();
        for (String pattern : patterns(role)) {
            List<Path> matches = new ArrayList<>();
            try (DirectoryStream<Path> found = Files.newDirectoryStream(bundlesDir, pattern)) {
                found.forEach(matches::add);
            } catch (IOException e) {
                throw new LaunchException("cannot list " + bundlesDir + ": " + e.getMessage(), e);
            }
            if (matches.isEmpty()) {
                throw new LaunchException("role '" + role + "' needs " + pattern + " but " + bundlesDir + " has no such jar");
            }
            if (matches.size() > 1) {
                matches.sort(null);
                throw new LaunchException("role '" + role + "': " + pattern + " matches several jars in " + bundlesDir
                        + ": " + matches.stream().map(p -> p.getFileName().toString()).toList());
            }
            jars.add(matches.get(0));
        }
        return jars;
    }
}
