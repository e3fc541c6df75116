package io.kubundle.client.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.api.transport.StreamListener;

/** Watch events read for a cache: straight into the kind's class, with their key, without managedFields. */
class CachedWatchEventsTest {
    /** A model class as fabric8's are: plain properties, metadata with managedFields among them. */
    public static final class Thing {
        public String apiVersion;
        public String kind;
        public Meta metadata;
        public Map<String, String> data;
    }

    public static final class Meta {
        public String name;
        public String namespace;
        public String resourceVersion;
        public List<Object> managedFields;
        public Map<String, String> labels;
    }

    private static final ResourceKind<Thing> THINGS = ResourceKind.of("v1", "Thing", "things", true, Thing.class);

    /** A transport whose watch plays the given lines at once. */
    private static ApiTransport playing(String... lines) {
        return new ApiTransport() {
            @Override
            public ApiReply send(ApiCall call) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ApiStream stream(ApiCall call, StreamListener listener) {
                for (String line : lines) {
                    listener.onLine(line.getBytes(StandardCharsets.UTF_8));
                }
                listener.onEnd(null);
                return new ApiStream() {
                    @Override
                    public ApiReply refusal() {
                        return null;
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }

    private static List<Object> watch(ResourceClient<Thing> client) throws Exception {
        List<Object> seen = new ArrayList<>();
        client.watch("ns", ListOptions.ALL, 0, new WatchHandler<>() {
            @Override
            public void onEvent(WatchEvent<Thing> event) {
                seen.add(event);
            }

            @Override
            public void onClose(Exception failure) {
                seen.add(failure == null ? "closed" : failure);
            }
        });
        return seen;
    }

    private static final String MODIFIED = "{\"type\":\"MODIFIED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Thing\","
            + "\"metadata\":{\"managedFields\":[{\"manager\":\"kubectl\",\"fieldsV1\":{\"f:data\":{\"f:a\":{}}}}],"
            + "\"labels\":{\"app\":\"x\"},\"name\":\"one\",\"namespace\":\"ns\",\"resourceVersion\":\"42\"},\"data\":{\"a\":\"b\"}}}";

    @Test
    void aCacheReadsTheObjectAndItsKeyButNoManagedFields() throws Exception {
        ResourceClient<Thing> cache = new KubeClient(playing(MODIFIED)).resources(THINGS).withoutManagedFields();
        List<Object> seen = watch(cache);
        @SuppressWarnings("unchecked")
        WatchEvent<Thing> event = (WatchEvent<Thing>) seen.get(0);
        assertEquals(List.of("MODIFIED", "ns", "one", "42"), List.of(event.type(), event.namespace(), event.name(),
                event.resourceVersion()));
        assertEquals("b", event.object().data.get("a"));
        assertEquals("x", event.object().metadata.labels.get("app"), "metadata is read whatever the order of its fields");
        assertEquals("Thing", event.object().kind);
        assertNull(event.object().metadata.managedFields, "managedFields are skipped");
        assertEquals("closed", seen.get(1));
    }

    @Test
    void anOrdinaryClientKeepsManagedFields() throws Exception {
        List<Object> seen = watch(new KubeClient(playing(MODIFIED)).resources(THINGS));
        @SuppressWarnings("unchecked")
        WatchEvent<Thing> event = (WatchEvent<Thing>) seen.get(0);
        assertEquals(1, event.object().metadata.managedFields.size());
    }

    @Test
    void bookmarksAndErrorsStillTakeTheGeneralPath() throws Exception {
        ResourceClient<Thing> cache = new KubeClient(playing(
                "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Thing\",\"metadata\":{\"resourceVersion\":\"50\"}}}",
                "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\",\"message\":\"too old\"}}"))
                .resources(THINGS).withoutManagedFields();
        List<Object> seen = watch(cache);
        @SuppressWarnings("unchecked")
        WatchEvent<Thing> bookmark = (WatchEvent<Thing>) seen.get(0);
        assertEquals("BOOKMARK", bookmark.type());
        assertEquals("50", bookmark.resourceVersion());
        ApiStatusException gone = assertInstanceOf(ApiStatusException.class, seen.get(1));
        assertTrue(gone.isGone(), gone.toString());
    }
}
