package io.kubundle.proxy.userspace.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

/**
 * The link that makes cluster IPs local addresses of the node's network namespace, so the proxy
 * can bind them and both the host and pods (through their route to the host) reach them: a dummy
 * link, or where the kernel has no dummy driver an empty bridge. The link is this proxy's alone
 * (by name): {@link #sync} reconciles its addresses with the kernel's each time, and
 * {@link #close} deletes it with every address on it, unless a newer instance in this JVM has
 * claimed it since (a side-by-side swap of this bundle for another version of it: the new one
 * adopts the link and keeps it). Called from the sync thread only, and from
 * deactivation after the sync thread stopped.
 */
final class ServiceLink implements UserspaceProxy.Addresses {
    private static final System.Logger LOG = System.getLogger(ServiceLink.class.getName());

    private final String name;
    /** This instance's claim on the link, in a system property every bundle's class loader sees. */
    private final String claimKey;
    private final String claim = java.util.UUID.randomUUID().toString();
    private final List<String> ipCommand;
    private static final Pattern INET_32 = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/32 ");
    /** A line of {@code ip -o -4 addr show}: {@code 2: eth0    inet 192.0.2.5/24 brd ...} (the link's name, then its address). */
    private static final Pattern ANY_INET = Pattern.compile("^\\d+:\\s+([^\\s@]+)\\S*\\s+inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/\\d+",
            Pattern.MULTILINE);
    private boolean made;

    ServiceLink(String name) {
        this(name, null);
    }

    /** @param netns a named network namespace ({@code ip -n}) instead of the process's own: for tests */
    ServiceLink(String name, String netns) {
        this.name = name;
        this.claimKey = "kubundle.proxy.userspace.link." + (netns == null ? "" : netns + ".") + name;
        this.ipCommand = netns == null ? List.of("ip") : List.of("ip", "-n", netns);
    }

    String name() {
        return name;
    }

    /**
     * Makes the link hold exactly {@code ips} as {@code /32}s, read from the kernel each time (level:
     * a link deleted or an address removed behind our back is put back). The link is made when an
     * address is wanted and the link is missing; a link found under the name (a killed instance's
     * leftover, a previous instance still leaving) is adopted and its other addresses removed.
     * An address some other link of the namespace has already (an external IP that is the node's
     * own) is left there and not added. One {@code ip addr show} when nothing changed, a second
     * one when an address is to be added.
     */
    @Override
    public void sync(Set<String> ips) throws IOException {
        // the newest instance of this JVM owns the link: a side-by-side swap's old instance leaves it at close
        if (!made) {
            System.setProperty(claimKey, claim);
        }
        Exec shown = ip("-o", "-4", "addr", "show", "dev", name);
        Set<String> present = new LinkedHashSet<>();
        if (shown.code() != 0) {
            if (ips.isEmpty()) {
                return;
            }
            make();
        } else {
            made = true;
            Matcher inet = INET_32.matcher(shown.output());
            while (inet.find()) {
                present.add(inet.group(1));
            }
        }
        for (String ip : present) {
            if (!ips.contains(ip)) {
                Exec removed = ip("addr", "del", ip + "/32", "dev", name);
                if (removed.code() != 0) {
                    LOG.log(System.Logger.Level.WARNING, "proxy-userspace: ip addr del {0}/32 dev {1}: {2}", ip, name, removed.output());
                }
            }
        }
        Set<String> missing = new LinkedHashSet<>(ips);
        missing.removeAll(present);
        if (!missing.isEmpty()) {
            missing.removeAll(localElsewhere());
        }
        for (String ip : missing) {
            Exec added = ip("addr", "replace", ip + "/32", "dev", name);
            if (added.code() != 0) {
                throw new IOException("ip addr replace " + ip + "/32 dev " + name + ": " + added.output());
            }
        }
    }

    /**
     * The IPv4 addresses on other links of the namespace (an external IP that is the node's own
     * address, say): local already, so they are bound without being put on this link (adding them
     * here, then deleting them, would be touching what is not ours).
     */
    private Set<String> localElsewhere() throws IOException {
        Exec shown = ip("-o", "-4", "addr", "show");
        if (shown.code() != 0) {
            throw new IOException("ip -o -4 addr show: " + shown.output());
        }
        Set<String> found = new LinkedHashSet<>();
        Matcher line = ANY_INET.matcher(shown.output());
        while (line.find()) {
            if (!line.group(1).equals(name)) {
                found.add(line.group(2));
            }
        }
        return found;
    }

    private void make() throws IOException {
        Exec created = ip("link", "add", name, "type", "dummy");
        if (created.code() != 0) {
            created = ip("link", "add", name, "type", "bridge");
        }
        if (created.code() != 0 && ip("link", "show", "dev", name).code() != 0) {
            throw new IOException("ip link add " + name + " (dummy, then bridge): " + created.output());
        }
        made = true;
        Exec up = ip("link", "set", name, "up");
        if (up.code() != 0) {
            throw new IOException("ip link set " + name + " up: " + up.output());
        }
    }

    /** Deletes the link and so every address on it. Idempotent, never fails (logs). */
    @Override
    public void close() {
        if (made) {
            made = false;
            if (!claim.equals(System.getProperty(claimKey))) {
                LOG.log(System.Logger.Level.DEBUG, "proxy-userspace: {0} has a newer owner, left to it", name);
                return;
            }
            System.clearProperty(claimKey);
            Exec deleted = ip("link", "del", name);
            if (deleted.code() != 0) {
                LOG.log(System.Logger.Level.WARNING, "proxy-userspace: ip link del {0}: {1}", name, deleted.output());
            }
        }
    }

    private Exec ip(String... args) {
        return Exec.run(ipCommand, args);
    }

    /** One {@code ip} command's exit code and output; code -1 when it could not run. */
    record Exec(int code, String output) {
        static Exec run(List<String> prefix, String... args) {
            List<String> command = new ArrayList<>(prefix);
            command.addAll(List.of(args));
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return new Exec(-1, String.join(" ", command) + ": no answer in 10 s");
                }
                return new Exec(process.exitValue(), output);
            } catch (IOException e) {
                return new Exec(-1, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Exec(-1, "interrupted");
            }
        }
    }
}
