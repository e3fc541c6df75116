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
    private final ResourceType configMaps = ResourceTypes.builtIn().byResource("", "v1", "configmaps").orElseThrow();
    private final WatchEventCache cache = new WatchEventCache(new ObjectStorage(json, () -> null));

    private static KeyValue kv(String name, long created, long modified) {
        return new KeyValue("/registry/core/configmaps/default/" + name,
                ("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"}}").getBytes(StandardCharsets.UTF_8), created, modified);
    }

    @Test
    void anEventIsDecodedAndEncodedOnceForAllWatchers() throws Exception {
        WatchEvent update = new WatchEvent(WatchEvent.Type.UPDATE, kv("a", 3, 7), kv("a", 3, 5));
        CachedObjects.Change first = cache.change(update);
        assertSame(first, cache.change(update), "the second watcher gets the same decoded event");
        byte[] line = first.event(WatchFormat.JSON, json, configMaps, "MODIFIED", false);
        assertSame(line, first.event(WatchFormat.JSON, json, configMaps, "MODIFIED", true), "and the same bytes");
        assertEquals("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"7\"}}}\n",
                new String(line, StandardCharsets.UTF_8));
    }

    @Test
    void aDeleteCarriesThePreviousObjectAtTheDeletionsRevision() throws Exception {
        WatchEvent delete = new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(kv("b", 0, 9).key(), new byte[0], 0, 9), kv("b", 4, 6));
        CachedObjects.Change change = cache.change(delete);
        assertEquals("9", change.object().object.at("/metadata/resourceVersion").asText());
        assertEquals("6", change.previous.object.at("/metadata/resourceVersion").asText(), "the shared previous object is left as it was");
        assertEquals("{\"type\":\"DELETED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"b\",\"resourceVersion\":\"9\"}}}\n",
                new String(change.event(WatchFormat.JSON, json, configMaps, "DELETED", false), StandardCharsets.UTF_8));
    }
}
