package io.kubundle.images.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.kubundle.api.runtime.ImageService.ImageConfig;
import io.kubundle.images.ImageStore;

/**
 * The runtime part of image configs ({@code config.Entrypoint}, {@code Cmd}, {@code Env},
 * {@code WorkingDir}, {@code User}, {@code StopSignal}), read once per config digest: content
 * named by its digest never changes.
 */
final class ConfigCache {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ConcurrentMap<String, ImageConfig> byDigest = new ConcurrentHashMap<>();

    ImageConfig get(ImageStore store, String digest) throws IOException {
        ImageConfig cached = byDigest.get(digest);
        if (cached != null) {
            return cached;
        }
        ImageConfig parsed = parse(MAPPER.readTree(store.readBlob(digest)).path("config"));
        byDigest.putIfAbsent(digest, parsed);
        return parsed;
    }

    static ImageConfig parse(JsonNode config) {
        return new ImageConfig(strings(config.path("Entrypoint")), strings(config.path("Cmd")), strings(config.path("Env")),
                config.path("WorkingDir").asText(""), config.path("User").asText(""), config.path("StopSignal").asText(""));
    }

    private static List<String> strings(JsonNode array) {
        List<String> result = new ArrayList<>();
        array.forEach(n -> result.add(n.asText()));
        return result;
    }
}
