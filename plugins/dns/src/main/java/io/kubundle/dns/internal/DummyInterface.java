package io.kubundle.dns.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The listen address on a dummy link of its own (as NodeLocal DNSCache does), in the process's
 * network namespace, through {@code ip}; where the kernel has no dummy driver, an empty bridge
 * (an address on it is local all the same). {@link #claim} makes the link and adds the address when
 * missing. The instance that serves on the address owns it ({@link #own}: it added it, or adopted
 * one a crashed process left); {@link #release} removes the address only when this instance owns
 * it (another one that found the address taken by a live server keeps it), and the link once no
 * address is left on it.
 */
final class DummyInterface {
    private static final System.Logger LOG = System.getLogger(DummyInterface.class.getName());
    private static final long TIMEOUT_SECONDS = 10;

    private final String name;
    private final String address;
    private boolean owned;

    DummyInterface(String name, String address) {
        this.name = name;
        this.address = address;
    }

    /** Makes the link (if missing), puts the address on it (if missing) and brings it up. */
    synchronized void claim() throws IOException {
        if (run("ip", "link", "show", "dev", name).exit() != 0) {
            Result added = run("ip", "link", "add", name, "type", "dummy");
            if (added.exit() != 0 && added.output().contains("Unknown device type")) {
                // a kernel without the dummy driver: an empty bridge holds a local address just as well
                added = run("ip", "link", "add", name, "type", "bridge");
            }
            // another process may have made it just now
            if (added.exit() != 0 && run("ip", "link", "show", "dev", name).exit() != 0) {
                throw new IOException("ip link add " + name + " type dummy: " + added.output());
            }
        }
        if (!hasAddress()) {
            Result added = run("ip", "addr", "add", prefix(), "dev", name);
            if (added.exit() != 0 && !hasAddress()) {
                throw new IOException("ip addr add " + prefix() + " dev " + name + ": " + added.output());
            }
            owned = added.exit() == 0;
        }
        Result up = run("ip", "link", "set", name, "up");
        if (up.exit() != 0) {
            throw new IOException("ip link set " + name + " up: " + up.output());
        }
    }

    /** The caller serves on the address: it is this instance's to remove. */
    synchronized void own() {
        owned = true;
    }

    /** Undoes {@link #claim}: never fails, idempotent. */
    synchronized void release() {
        try {
            if (owned) {
                run("ip", "addr", "del", prefix(), "dev", name);
                owned = false;
            }
            // the kernel's own IPv6 link-local address does not count
            Result addresses = run("ip", "-o", "addr", "show", "dev", name, "scope", "global");
            if (addresses.exit() == 0 && addresses.output().isBlank()) {
                run("ip", "link", "del", name);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove DNS address {0} from {1}: {2}", address, name, e.getMessage());
        }
    }

    boolean exists() throws IOException {
        return run("ip", "link", "show", "dev", name).exit() == 0;
    }

    boolean hasAddress() throws IOException {
        Result shown = run("ip", "-o", "addr", "show", "dev", name);
        return shown.exit() == 0 && shown.output().contains(" " + prefix() + " ");
    }

    private String prefix() {
        return address + (address.indexOf(':') >= 0 ? "/128" : "/32");
    }

    private record Result(int exit, String output) {
    }

    private static Result run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        try {
            // ip prints a few lines at most: reading to the end cannot fill a pipe
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + String.join(" ", List.of(command)), e);
        }
    }

    @Override
    public String toString() {
        return name + " " + prefix();
    }
}
