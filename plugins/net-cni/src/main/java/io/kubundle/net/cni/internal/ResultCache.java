package io.kubundle.net.cni.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.network.NetworkFailure;

/**
 * What was given to and returned by the plugins for each pod, as libcni's result cache: one file
 * per pod and interface, {@code <dir>/<uid>-<ifname>.json}, written before the first plugin runs
 * (configuration only) and again with the result. DEL and CHECK use the configuration and result
 * from here, so a changed configuration directory or a new instance (a restart, a bundle swap)
 * undoes exactly what was done. Files are replaced atomically: a reader never sees half of one.
 */
final class ResultCache {
    static final String KIND = "kubundle-cni-cache-v1";

    private final Path dir;

    ResultCache(Path dir) {
        this.dir = dir;
    }

    /**
     * One pod's entry.
     *
     * @param containerId the pod's uid
     * @param ifName the interface in the pod
     * @param netns the namespace it was added in
     * @param config the network list as the plugins got it (placeholders substituted)
     * @param result the final result of ADD; null while ADD runs, or if it failed half-way
     */
    record Entry(String containerId, String ifName, String netns, NetworkList config, JsonNode result) { }

    Path file(String containerId, String ifName) {
        return dir.resolve(containerId + "-" + ifName + ".json");
    }

    void put(Entry entry) throws NetworkFailure {
        ObjectNode json = NetworkList.JSON.createObjectNode();
        json.put("kind", KIND);
        json.put("containerId", entry.containerId());
        json.put("ifName", entry.ifName());
        json.put("netns", entry.netns());
        json.put("networkName", entry.config().name());
        json.set("config", entry.config().json());
        if (entry.result() != null) {
            json.set("result", entry.result());
        }
        Path file = file(entry.containerId(), entry.ifName());
        Path next = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            Files.writeString(next, NetworkList.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json), UTF_8);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(next);
            } catch (IOException ignored) {
                e.addSuppressed(ignored);
            }
            throw new NetworkFailure("cannot write the CNI cache " + file + ": " + e, e);
        }
    }

    Optional<Entry> get(String containerId, String ifName) throws NetworkFailure {
        Path file = file(containerId, ifName);
        JsonNode json;
        try {
            json = NetworkList.JSON.readTree(Files.readString(file, UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new NetworkFailure("cannot read the CNI cache " + file + ": " + e, e);
        }
        if (!KIND.equals(json.path("kind").asText())) {
            throw new NetworkFailure("the CNI cache " + file + " is not a " + KIND + " entry");
        }
        NetworkList config = NetworkList.parse(json.path("config").toString(), file.toString());
        JsonNode result = json.hasNonNull("result") ? json.get("result") : null;
        return Optional.of(new Entry(containerId, ifName, json.path("netns").asText(), config, result));
    }

    void remove(String containerId, String ifName) throws NetworkFailure {
        Path file = file(containerId, ifName);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new NetworkFailure("cannot delete the CNI cache " + file + ": " + e, e);
        }
    }
}
