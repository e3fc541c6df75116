package io.kubundle.net.cni.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.network.NetworkFailure;

/**
 * Runs one CNI plugin binary as the spec's execution protocol says: parameters in {@code CNI_*}
 * environment variables, the configuration on stdin, the result (or an error) as JSON on stdout.
 * Output goes through temporary files rather than pipes, so a chatty or hung plugin can neither
 * block the caller nor outlive the timeout; on timeout the plugin and everything it started are
 * killed.
 */
final class PluginRunner {
    private final List<Path> binDirs;
    private final Duration timeout;

    PluginRunner(List<Path> binDirs, Duration timeout) {
        this.binDirs = List.copyOf(binDirs);
        this.timeout = timeout;
    }

    /**
     * The parameters of one call.
     *
     * @param command {@code ADD}, {@code DEL} or {@code CHECK}
     * @param containerId {@code CNI_CONTAINERID}: the pod's uid
     * @param netns {@code CNI_NETNS}; empty for a DEL whose namespace is gone
     * @param ifName {@code CNI_IFNAME}
     * @param args {@code CNI_ARGS}: {@code K=V} pairs joined by {@code ;}
     */
    record Call(String command, String containerId, String netns, String ifName, String args) { }

    /** The {@code CNI_*} variables of a call; {@code CNI_PATH} lists the binary directories. */
    Map<String, String> environment(Call call) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", call.command());
        env.put("CNI_CONTAINERID", call.containerId());
        env.put("CNI_NETNS", call.netns());
        env.put("CNI_IFNAME", call.ifName());
        env.put("CNI_ARGS", call.args());
        env.put("CNI_PATH", binDirs.stream().map(Path::toString).collect(Collectors.joining(":")));
        return env;
    }

    /** The plugin binary named {@code type}: the first executable of that name in the directories. */
    Path find(String type) throws NetworkFailure {
        requirePluginName(type);
        for (Path dir : binDirs) {
            Path binary = dir.resolve(type);
            if (Files.isRegularFile(binary) && Files.isExecutable(binary)) {
                return binary;
            }
        }
        throw new NetworkFailure("CNI plugin \"" + type + "\" not found in " + binDirs);
    }

    /**
     * Runs plugin {@code type} with {@code config} on stdin; returns what it printed as JSON, or
     * null if it printed nothing (as DEL and CHECK do).
     *
     * @throws NetworkFailure the plugin's own error ({@code code}, {@code msg}, {@code details}),
     *         or what it printed when it exited non-zero without one, or a timeout
     */
    JsonNode run(String type, Call call, ObjectNode config) throws NetworkFailure {
        Path binary = find(type);
        Path in = null;
        Path out = null;
        Path err = null;
        try {
            in = Files.createTempFile("kubundle-cni-", ".in");
            out = Files.createTempFile("kubundle-cni-", ".out");
            err = Files.createTempFile("kubundle-cni-", ".err");
            Files.writeString(in, NetworkList.JSON.writeValueAsString(config), UTF_8);
            ProcessBuilder builder = new ProcessBuilder(binary.toString()).redirectInput(in.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("CNI_"));
            builder.environment().putAll(environment(call));
            Process process = builder.start();
            if (!waitFor(process, type, call)) {
                kill(process);
                throw new NetworkFailure("CNI plugin " + type + " " + call.command() + " did not finish within "
                        + timeout.toSeconds() + " s and was killed");
            }
            return parseOutput(type, call.command(), process.exitValue(), Files.readString(out, UTF_8),
                    Files.readString(err, UTF_8));
        } catch (IOException e) {
            throw new NetworkFailure("cannot run CNI plugin " + binary + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(in);
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** What a plugin's exit and output mean: its result, or a failure with its message. */
    static JsonNode parseOutput(String type, String command, int exit, String stdout, String stderr) throws NetworkFailure {
        JsonNode json = null;
        if (!stdout.isBlank()) {
            try {
                json = NetworkList.JSON.readTree(stdout);
            } catch (IOException e) {
                if (exit == 0) {
                    throw new NetworkFailure("CNI plugin " + type + " " + command + " printed no JSON: " + abbreviate(stdout), e);
                }
            }
        }
        if (exit == 0 && (json == null || !json.has("code"))) {
            return json;
        }
        String what = "CNI plugin " + type + " " + command + " failed";
        if (json != null && json.has("code")) {
            int code = json.path("code").asInt();
            String details = json.path("details").asText("");
            throw new NetworkFailure(what + " (code " + code + codeName(code) + "): " + json.path("msg").asText("")
                    + (details.isEmpty() ? "" : " (" + details + ")"));
        }
        String said = !stderr.isBlank() ? stderr : stdout;
        throw new NetworkFailure(what + " (exit " + exit + ")" + (said.isBlank() ? "" : ": " + abbreviate(said)));
    }

    /** The spec's name of a well-known error code. */
    static String codeName(int code) {
        return switch (code) {
            case 1 -> ", incompatible CNI version";
            case 2 -> ", unsupported field in network configuration";
            case 3 -> ", container unknown or does not exist";
            case 4 -> ", invalid necessary environment variables";
            case 5 -> ", I/O failure";
            case 6 -> ", failed to decode content";
            case 7 -> ", invalid network config";
            case 11 -> ", try again later";
            case 50 -> ", the plugin is not available";
            case 51 -> ", the plugin is not available, existing containers may be damaged";
            default -> "";
        };
    }

    /** A plugin type is a file name in a binary directory, nothing more. */
    static void requirePluginName(String type) throws NetworkFailure {
        if (type.isEmpty() || type.contains("/") || type.equals(".") || type.equals("..") || type.contains("\0")) {
            throw new NetworkFailure("\"" + type + "\" is not a CNI plugin name");
        }
    }

    private boolean waitFor(Process process, String type, Call call) throws NetworkFailure {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new NetworkFailure("interrupted while running CNI plugin " + type + " " + call.command());
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String abbreviate(String text) {
        String line = text.strip();
        return line.length() > 2000 ? line.substring(0, 2000) + "..." : line;
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temporary file costs nothing worth failing a pod for
            }
        }
    }
}
