package io.kubundle.net.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.network.NetworkFailure;

final class ResultCacheTest {
    @TempDir
    Path dir;

    @Test
    void anEntryIsKeptPerPodAndInterfaceUntilRemoved() throws Exception {
        ResultCache cache = new ResultCache(dir.resolve("results"));
        NetworkList list = NetworkList.parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\"}]}", "x");
        assertEquals(Optional.empty(), cache.get("uid-1", "eth0"));

        cache.put(new ResultCache.Entry("uid-1", "eth0", "/run/netns/a", list, null));
        ResultCache.Entry started = cache.get("uid-1", "eth0").orElseThrow();
        assertEquals("/run/netns/a", started.netns());
        assertEquals(list.json(), started.config().json());
        assertNull(started.result());

        var result = NetworkList.JSON.readTree("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/24\"}]}");
        cache.put(new ResultCache.Entry("uid-1", "eth0", "/run/netns/a", list, result));
        assertEquals(result, new ResultCache(dir.resolve("results")).get("uid-1", "eth0").orElseThrow().result(), "read by a new instance");
        assertEquals(Optional.empty(), cache.get("uid-1", "net1"));
        try (var files = Files.list(dir.resolve("results"))) {
            assertEquals(1, files.count(), "no temporary file left");
        }

        cache.remove("uid-1", "eth0");
        cache.remove("uid-1", "eth0");
        assertEquals(Optional.empty(), cache.get("uid-1", "eth0"));
    }

    @Test
    void aFileOfAnotherKindIsRefused() throws Exception {
        ResultCache cache = new ResultCache(dir);
        Files.writeString(cache.file("uid-1", "eth0"), "{\"kind\":\"cniCacheV1\"}");
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> cache.get("uid-1", "eth0"));
        assertTrue(failure.getMessage().contains("is not a " + ResultCache.KIND + " entry"), failure.getMessage());
    }
}
