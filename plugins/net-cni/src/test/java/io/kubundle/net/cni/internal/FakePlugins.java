package io.kubundle.net.cni.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Shell scripts standing in for CNI plugins, in a temporary directory: each logs its command, its
 * {@code CNI_*} environment and its stdin, then prints a fixed result on ADD (or fails, or hangs).
 */
final class FakePlugins implements AutoCloseable {
    final Path root;
    final Path bin;
    final Path conf;
    final Path state;
    final Path log;
    final Path netns;

    /** One logged call. */
    record Call(String plugin, String command, JsonNode stdin, String env) { }

    FakePlugins() throws IOException {
        root = Files.createTempDirectory("kubundle-cni-test-");
        bin = Files.createDirectories(root.resolve("bin"));
        conf = Files.createDirectories(root.resolve("net.d"));
        state = root.resolve("state");
        log = Files.createDirectories(root.resolve("log"));
        netns = Files.createFile(root.resolve("netns"));
    }

    /** A plugin that prints {@code result} on ADD and nothing on DEL and CHECK. */
    void plugin(String name, String result) throws IOException {
        script(name, "case \"$CNI_COMMAND\" in ADD) printf '%s' '" + result + "';; esac\n");
    }

    /** A plugin whose {@code command} fails with {@code error} on stdout and exit 1. */
    void failing(String name, String command, String error) throws IOException {
        script(name, "if [ \"$CNI_COMMAND\" = " + command + " ]; then printf '%s' '" + error + "'; exit 1; fi\n"
                + "case \"$CNI_COMMAND\" in ADD) cat \"$0.result\";; esac\n");
    }

    void script(String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\n"
                + "n=$(ls " + log + " | grep -c json)\n"
                + "f=" + log + "/$(printf %03d \"$n\")-" + name + "-$CNI_COMMAND\n"
                + "env | grep '^CNI_' | sort > \"$f.env\"\n"
                + "cat > \"$f.json\"\n"
                + body, UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    void conflist(String file, String json) throws IOException {
        Files.writeString(conf.resolve(file), json, UTF_8);
    }

    CniNetwork network() throws Exception {
        return new CniNetwork(conf, List.of(root.resolve("missing"), bin), "", state, java.time.Duration.ofSeconds(5));
    }

    /** The calls so far, in order; forgets them. */
    List<Call> calls() throws IOException {
        List<Call> calls = new ArrayList<>();
        try (Stream<Path> files = Files.list(log)) {
            for (Path json : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String base = json.getFileName().toString().replaceAll("\\.json$", "");
                String[] parts = base.split("-");
                String text = Files.readString(json, UTF_8);
                calls.add(new Call(parts[1], parts[2], text.isBlank() ? null : NetworkList.JSON.readTree(text),
                        Files.readString(log.resolve(base + ".env"), UTF_8)));
            }
        }
        try (Stream<Path> files = Files.list(log)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        return calls;
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
