package io.kubundle.proxy.userspace.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The link that makes cluster IPs local addresses of the node's network namespace, so the proxy
 * can bind them and both the host and pods (through their route to the host) reach them: a dummy
 * link, or where the kernel has no dummy driver an empty bridge. The link is this proxy's alone
 * (by name): the first {@link #add} deletes whatever a crashed instance left under that name and
 * makes it afresh; {@link #close} deletes it with every address on it. Called from the sync
 * thread only, and from deactivation after the sync thread stopped.
 */
final class ServiceLink implements UserspaceProxy.Addresses {
    private static final System.Logger LOG = System.getLogger(ServiceLink.class.getName());

    private final String name;
    private final List<String> ipCommand;
    private final Set<String> addresses = new LinkedHashSet<>();
    private boolean made;

    ServiceLink(String name) {
        this(name, null);
    }

    /** @param netns a named network namespace ({@code ip -n}) instead of the process's own: for tests */
    ServiceLink(String name, String netns) {
        this.name = name;
        this.ipCommand = netns == null ? List.of("ip") : List.of("ip", "-n", netns);
    }

    String name() {
        return name;
    }

    /** Puts {@code ip/32} on the link, making the link first if needed. Idempotent. */
    @Override
    public void add(String ip) throws IOException {
        if (!made) {
            make();
        }
        if (addresses.contains(ip)) {
            return;
        }
        Exec added = ip("addr", "replace", ip + "/32", "dev", name);
        if (added.code() != 0) {
            throw new IOException("ip addr replace " + ip + "/32 dev " + name + ": " + added.output());
        }
        addresses.add(ip);
    }

    /** Takes {@code ip} off the link. Idempotent, never fails (logs). */
    @Override
    public void remove(String ip) {
        if (addresses.remove(ip)) {
            Exec removed = ip("addr", "del", ip + "/32", "dev", name);
            if (removed.code() != 0) {
                LOG.log(System.Logger.Level.WARNING, "proxy-userspace: ip addr del {0}/32 dev {1}: {2}", ip, name, removed.output());
            }
        }
    }

    Set<String> addresses() {
        return Set.copyOf(addresses);
    }

    private void make() throws IOException {
        // a leftover of a killed instance carries addresses nobody serves: start clean
        ip("link", "del", name);
        Exec created = ip("link", "add", name, "type", "dummy");
        if (created.code() != 0) {
            created = ip("link", "add", name, "type", "bridge");
        }
        if (created.code() != 0) {
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
        addresses.clear();
        if (made) {
            made = false;
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
