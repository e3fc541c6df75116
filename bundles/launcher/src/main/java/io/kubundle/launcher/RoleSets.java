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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bundle set of each role, read from {@code etc/roles.properties}: the one place that says
 * which bundles a role runs. Each role is a comma-separated list of jar file names in
 * {@code bundles/} (globs allowed, each must match exactly one file) and other roles written
 * {@code @role}. An entry {@code A if COMMAND else B} picks jar {@code A} when the host has
 * {@code COMMAND} on its {@code PATH}, else {@code B} (the service proxy: iptables where the host
 * has it, the userspace proxy elsewhere).
 */
final class RoleSets {
    private static final Pattern CHOICE = Pattern.compile("(\\S+)\\s+if\\s+(\\S+)\\s+else\\s+(\\S+)");

    private final Properties roles;
    private final Path source;
    private final Predicate<String> hostHasCommand;

    private RoleSets(Properties roles, Path source, Predicate<String> hostHasCommand) {
        this.roles = roles;
        this.source = source;
        this.hostHasCommand = hostHasCommand;
    }

    static RoleSets load(Path rolesFile) throws LaunchException {
        return load(rolesFile, RoleSets::onPath);
    }

    static RoleSets load(Path rolesFile, Predicate<String> hostHasCommand) throws LaunchException {
        Properties roles = new Properties();
        try (Reader reader = Files.newBufferedReader(rolesFile)) {
            roles.load(reader);
        } catch (IOException e) {
            throw new LaunchException("cannot read the role definitions " + rolesFile + ": " + e.getMessage(), e);
        }
        return new RoleSets(roles, rolesFile, hostHasCommand);
    }

    /** Whether an executable file of that name is in a directory of {@code PATH}. */
    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(java.io.File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
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
            } else if (item.contains(" ")) {
                Matcher choice = CHOICE.matcher(item);
                if (!choice.matches()) {
                    throw new LaunchException("role '" + role + "': cannot read \"" + item + "\" in " + source.getFileName()
                            + ": a jar, @role, or JAR if COMMAND else JAR");
                }
                into.add(hostHasCommand.test(choice.group(2)) ? choice.group(1) : choice.group(3));
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
