package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.WatchEvent;

class WatchEventCacheTest {
    private final ObjectMapper json = new ObjectMapper();
    private final WatchEventCache cache = new WatchEventCache(new ObjectStorage(json, () -> null), json);

    private static KeyValue kv(String name, long created, long modified) {
        return new KeyValue("/registry/core/configmaps/default/" + name,
                ("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"}}").getBytes(StandardCharsets.UTF_8), created, modified);
    }

    @Test
    void anEventIsDecodedAndEncodedOnceForAllWatchers() throws Exception {
        WatchEvent update = new WatchEvent(WatchEvent.Type.UPDATE, kv("a", 3, 7), kv("a", 3, 5));
        WatchEventCache.Entry first = cache.entry(update);
        assertSame(first, cache.entry(update), "the second watcher gets the same decoded event");
        byte[] line = cache.line(first, "MODIFIED", false, WatchFormat.JSON);
        assertSame(line, cache.line(first, "MODIFIED", false, WatchFormat.JSON), "and the same bytes");
        assertEquals("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"7\"}}}\n",
                new String(line, StandardCharsets.UTF_8));
    }

    @Test
    void aDeleteCarriesThePreviousObjectAtTheDeletionsRevision() throws Exception {
        WatchEvent delete = new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(kv("b", 0, 9).key(), new byte[0], 0, 9), kv("b", 4, 6));
        WatchEventCache.Entry entry = cache.entry(delete);
        assertEquals("9", entry.previous.at("/metadata/resourceVersion").asText());
        assertEquals("{\"type\":\"DELETED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"b\",\"resourceVersion\":\"9\"}}}\n",
                new String(cache.line(entry, "DELETED", true, WatchFormat.JSON), StandardCharsets.UTF_8));
    }
}
