package io.kubundle.proxy.nftables.internal;

import java.io.IOException;
import java.util.List;

import io.kubundle.proxy.support.HostCommands;

/** The {@code nft} command where the proxy's commands run (the host, or a test's namespace). */
final class Nft {
    private final HostCommands commands;

    Nft(HostCommands commands) {
        this.commands = commands;
    }

    HostCommands commands() {
        return commands;
    }

    /** Whether {@code nft} runs here and the kernel has nf_tables (listing the ruleset works). */
    boolean available() {
        try {
            return commands.run(List.of("nft", "list", "tables"), null).exit() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code nftables v1.0.6 (Lester Gooch #5)}, for the log. */
    String version() {
        try {
            return commands.run(List.of("nft", "--version"), null).out().strip();
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** One {@code nft -f -} transaction: all of it or nothing; fails with what nft said. */
    void apply(String input) throws IOException {
        HostCommands.Result result = commands.run(List.of("nft", "-f", "-"), input);
        if (result.exit() != 0) {
            String err = result.err().strip();
            throw new IOException("nft -f failed (exit " + result.exit() + "): " + (err.length() > 2000 ? err.substring(0, 2000) + "..." : err));
        }
    }

    /** {@code nft list table ip TABLE}, empty when there is no such table. */
    String list(String table) throws IOException {
        HostCommands.Result result = commands.run(List.of("nft", "list", "table", "ip", table), null);
        return result.exit() == 0 ? result.out() : "";
    }
}
