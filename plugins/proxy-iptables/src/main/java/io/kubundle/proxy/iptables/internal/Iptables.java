package io.kubundle.proxy.iptables.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's iptables: {@code iptables-save}, {@code iptables-restore --noflush} and
 * {@code sysctl}, optionally run inside another network namespace
 * ({@code nsenter --net=/run/netns/NS}, for tests). {@code family} picks the binaries: empty for
 * the host's default ({@code iptables}, {@code iptables-restore}: on Debian 12 the nft-based ones
 * through update-alternatives), {@code nft} or {@code legacy} to name one. Each command may take
 * {@code timeoutSeconds} (120 s here: a full restore of thousands of chains on a loaded machine
 * takes tens of seconds); one killed at its timeout commits nothing.
 */
final class Iptables {
    private final List<String> prefix;
    private final String family;
    private final long timeoutSeconds;

    Iptables(List<String> prefix, String family, long timeoutSeconds) {
        if (!family.isEmpty() && !family.equals("nft") && !family.equals("legacy")) {
            throw new IllegalArgumentException("iptables family must be empty, nft or legacy: " + family);
        }
        this.prefix = List.copyOf(prefix);
        this.family = family;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** The host's own tables, with the default binaries. */
    static Iptables host(String family) {
        return new Iptables(List.of(), family, 120);
    }

    /**
     * The tables of a named network namespace ({@code ip netns add NAME}), entered with
     * {@code nsenter --net} (lighter than {@code ip netns exec}, which also remounts /sys).
     */
    static Iptables inNamespace(String namespace) {
        return new Iptables(List.of("nsenter", "--net=/run/netns/" + namespace), "", 120);
    }

    private String binary(String tool) {
        return family.isEmpty() ? tool : tool.replaceFirst("^iptables", "iptables-" + family);
    }

    /** Whether {@code iptables-restore} can run here. */
    boolean available() {
        try {
            return run(List.of(binary("iptables-restore"), "--version"), null).exit == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The version line ({@code iptables-restore v1.8.9 (nf_tables)}), for the log. */
    String version() throws IOException {
        return run(List.of(binary("iptables-restore"), "--version"), null).out.strip();
    }

    /** {@code iptables-save}: every table. */
    String save() throws IOException {
        Result result = run(List.of(binary("iptables-save")), null);
        if (result.exit != 0) {
            throw new IOException(binary("iptables-save") + " failed (exit " + result.exit + "): " + result.err);
        }
        return result.out;
    }

    /** One {@code iptables-restore -w 5 --noflush} transaction; fails with what it said. */
    void restore(String input) throws IOException {
        Result result = run(List.of(binary("iptables-restore"), "-w", "5", "--noflush"), input);
        if (result.exit != 0) {
            throw new IOException(binary("iptables-restore") + " failed (exit " + result.exit + "): " + result.err.strip());
        }
    }

    /** {@code sysctl -w key=value}; false (not an error) where the kernel does not allow it. */
    boolean sysctl(String key, String value) {
        try {
            return run(List.of("sysctl", "-q", "-w", key + "=" + value), null).exit == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code sysctl -n key}, or empty. */
    String sysctlValue(String key) {
        try {
            Result result = run(List.of("sysctl", "-n", key), null);
            return result.exit == 0 ? result.out.strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs any command where this instance's commands run ({@code modprobe}, ...); its exit code. */
    int exec(String... command) {
        try {
            return run(List.of(command), null).exit;
        } catch (IOException e) {
            return -1;
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private Result run(List<String> command, String input) throws IOException {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(command);
        Path out = Files.createTempFile("kubundle-proxy-", ".out");
        Path err = Files.createTempFile("kubundle-proxy-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (input == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process process = builder.start();
            if (input != null) {
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write(input.getBytes(UTF_8));
                } catch (IOException e) {
                    // it exited early; its exit code and stderr say why
                }
            }
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", full) + " did not finish in " + timeoutSeconds + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", full) + " interrupted");
            }
            return new Result(process.exitValue(), Files.readString(out, UTF_8), Files.readString(err, UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
