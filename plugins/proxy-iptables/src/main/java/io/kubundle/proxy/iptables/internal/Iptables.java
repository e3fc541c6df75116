package io.kubundle.proxy.iptables.internal;

import java.io.IOException;
import java.util.List;

import io.kubundle.proxy.support.HostCommands;

/**
 * The host's iptables: {@code iptables-save} and {@code iptables-restore --noflush}, optionally
 * run inside another network namespace ({@code nsenter --net=/run/netns/NS}, for tests).
 * {@code family} picks the binaries: empty for the host's default ({@code iptables},
 * {@code iptables-restore}: on Debian 12 the nft-based ones through update-alternatives),
 * {@code nft} or {@code legacy} to name one. Each command may take {@code timeoutSeconds} (120 s
 * here: a full restore of thousands of chains on a loaded machine takes tens of seconds); one
 * killed at its timeout commits nothing.
 */
final class Iptables {
    private final HostCommands commands;
    private final String family;

    Iptables(HostCommands commands, String family) {
        if (!family.isEmpty() && !family.equals("nft") && !family.equals("legacy")) {
            throw new IllegalArgumentException("iptables family must be empty, nft or legacy: " + family);
        }
        this.commands = commands;
        this.family = family;
    }

    Iptables(List<String> prefix, String family, long timeoutSeconds) {
        this(new HostCommands(prefix, timeoutSeconds), family);
    }

    /** The host's own tables, with the default binaries. */
    static Iptables host(String family) {
        return new Iptables(HostCommands.host(), family);
    }

    /** The tables of a named network namespace ({@code ip netns add NAME}). */
    static Iptables inNamespace(String namespace) {
        return new Iptables(HostCommands.inNamespace(namespace), "");
    }

    /** Where the commands run, for the other commands a proxy runs there ({@code sysctl}). */
    HostCommands commands() {
        return commands;
    }

    private String binary(String tool) {
        return family.isEmpty() ? tool : tool.replaceFirst("^iptables", "iptables-" + family);
    }

    /** Whether {@code iptables-restore} can run here. */
    boolean available() {
        try {
            return commands.run(List.of(binary("iptables-restore"), "--version"), null).exit() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The version line ({@code iptables-restore v1.8.9 (nf_tables)}), for the log. */
    String version() throws IOException {
        return commands.run(List.of(binary("iptables-restore"), "--version"), null).out().strip();
    }

    /** {@code iptables-save}: every table. */
    String save() throws IOException {
        HostCommands.Result result = commands.run(List.of(binary("iptables-save")), null);
        if (result.exit() != 0) {
            throw new IOException(binary("iptables-save") + " failed (exit " + result.exit() + "): " + result.err());
        }
        return result.out();
    }

    /** One {@code iptables-restore -w 5 --noflush} transaction; fails with what it said. */
    void restore(String input) throws IOException {
        HostCommands.Result result = commands.run(List.of(binary("iptables-restore"), "-w", "5", "--noflush"), input);
        if (result.exit() != 0) {
            throw new IOException(binary("iptables-restore") + " failed (exit " + result.exit() + "): " + result.err().strip());
        }
    }
}
