package io.kubundle.proxy.support;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.api.transport.StreamListener;
import io.kubundle.client.kube.KubeClient;

/** The proxy's informers and its snapshot against a fake API server: lists, then watch events pushed by the test. */
class ClusterWatchTest {
    @TempDir
    java.nio.file.Path dir;

    /** Answers lists from fixed JSON and keeps each watch's listener, by collection path. */
    static final class FakeServer implements ApiTransport {
        final Map<String, String> items = new ConcurrentHashMap<>();
        final Map<String, List<StreamListener>> watchers = new ConcurrentHashMap<>();

        private static String collection(String uri) {
            int query = uri.indexOf('?');
            return query < 0 ? uri : uri.substring(0, query);
        }

        @Override
        public ApiReply send(ApiCall call) {
            String list = "{\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[" + items.getOrDefault(collection(call.uri()), "")
                    + "]}";
            return new ApiReply(200, "application/json", list.getBytes(UTF_8));
        }

        @Override
        public ApiStream stream(ApiCall call, StreamListener listener) {
            watchers.computeIfAbsent(collection(call.uri()), k -> new CopyOnWriteArrayList<>()).add(listener);
            return new ApiStream() {
                @Override
                public ApiReply refusal() {
                    return null;
                }

                @Override
                public void close() {
                    watchers.getOrDefault(collection(call.uri()), List.of()).remove(listener);
                }
            };
        }

        void event(String path, String type, String object) {
            for (StreamListener listener : watchers.getOrDefault(path, List.of())) {
                listener.onLine(("{\"type\":\"" + type + "\",\"object\":" + object + "}").getBytes(UTF_8));
            }
        }
    }

    static final String SERVICES = "/api/v1/services";
    static final String SLICES = "/apis/discovery.k8s.io/v1/endpointslices";
    static final String NODES = "/api/v1/nodes";

    static String service(String rv) {
        return ("{'kind':'Service','metadata':{'namespace':'shop','name':'web','resourceVersion':'" + rv + "'},'spec':{'type':'ClusterIP',"
                + "'clusterIP':'10.96.0.20','ports':[{'name':'http','port':80,'protocol':'TCP'}]}}").replace('\'', '"');
    }

    static String slice(String rv, String... ips) {
        StringBuilder endpoints = new StringBuilder();
        for (String ip : ips) {
            endpoints.append(endpoints.length() == 0 ? "" : ",").append("{'addresses':['").append(ip).append("'],'nodeName':'n1'}");
        }
        return ("{'kind':'EndpointSlice','metadata':{'namespace':'shop','name':'web-abc','resourceVersion':'" + rv + "','labels':"
                + "{'kubernetes.io/service-name':'web'}},'addressType':'IPv4','ports':[{'name':'http','port':8080,'protocol':'TCP'}],"
                + "'endpoints':[" + endpoints + "]}").replace('\'', '"');
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A syncer that counts its syncs, slowly (the first takes 300 ms). */
    static final class SlowSyncer implements SyncLoop.Syncer {
        final java.util.concurrent.atomic.AtomicInteger syncs = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void sync(boolean full) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            syncs.incrementAndGet();
        }

        @Override
        public void cleanup() {
        }

        @Override
        public String describe() {
            return "nothing";
        }
    }

    @Test
    void theHostReturnsOnceTheFirstSyncIsDoneOrAnotherInstanceOwnsTheNamespace() throws Exception {
        FakeServer server = new FakeServer();
        server.items.put(SERVICES, service("1"));
        SlowSyncer first = new SlowSyncer();
        io.kubundle.client.kube.ControllerHost host = ClusterWatch.host("test-proxy", server, "n1", source -> new SyncLoop("test-proxy",
                first, new Ownership(dir.resolve("h.lock")), Duration.ZERO, Duration.ofHours(1), false), Duration.ofSeconds(20));
        try {
            assertEquals(1, first.syncs.get(), "activation returns after the first sync, not before");
            // a second instance for the same namespace cannot sync while the first owns it: it does not wait its full time
            SlowSyncer second = new SlowSyncer();
            long started = System.nanoTime();
            io.kubundle.client.kube.ControllerHost other = ClusterWatch.host("test-proxy", server, "n1", source -> new SyncLoop(
                    "test-proxy", second, new Ownership(dir.resolve("h.lock")), Duration.ZERO, Duration.ofHours(1), false),
                    Duration.ofSeconds(20));
            try {
                assertTrue(System.nanoTime() - started < 10_000_000_000L, "returned once it found the namespace owned");
                assertEquals(0, second.syncs.get());
            } finally {
                other.close();
            }
        } finally {
            host.close();
        }
    }

    @Test
    void snapshotFollowsTheCachesAndRereadsOnlyWhatChanged() throws Exception {
        FakeServer server = new FakeServer();
        server.items.put(SERVICES, service("1"));
        server.items.put(SLICES, slice("1", "10.244.0.5", "10.244.0.6"));
        server.items.put(NODES, "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\",\"resourceVersion\":\"1\"},\"spec\":{\"podCIDR\":\"10.244.0.0/24\"}}");
        // a sync loop whose syncs read the snapshot and write nothing
        java.util.concurrent.atomic.AtomicReference<Snapshot> synced = new java.util.concurrent.atomic.AtomicReference<>();
        ClusterWatch watch = new ClusterWatch("test-proxy", new KubeClient(server), "n1", source -> new SyncLoop("test-proxy",
                new SyncLoop.Syncer() {
                    @Override
                    public void sync(boolean full) {
                        synced.set(source.get());
                    }

                    @Override
                    public void cleanup() {
                    }

                    @Override
                    public String describe() {
                        return "nothing";
                    }
                }, new Ownership(dir.resolve("w.lock")), Duration.ofMillis(10), Duration.ofHours(1), false));
        try {
            watch.start();
            Snapshot first = watch.snapshot();
            assertEquals("10.244.0.0/24", first.nodePodCidr());
            assertEquals(List.of("shop/web:http/TCP"), List.copyOf(first.ports().keySet()));
            List<Endpoint> endpoints = first.endpoints().get("shop/web:http/TCP");
            assertEquals(List.of("10.244.0.5:8080", "10.244.0.6:8080"), endpoints.stream().map(Endpoint::address).toList());
            assertTrue(endpoints.get(0).local());
            assertSame(endpoints, watch.snapshot().endpoints().get("shop/web:http/TCP"), "nothing changed, nothing read again");
            await(() -> ((SyncLoop) watch.proxier()).syncCount() > 0, "the proxy syncs once the informers listed");
            assertEquals(first.ports(), synced.get().ports());

            await(() -> server.watchers.containsKey(SLICES), "a watch on slices");
            server.event(SLICES, "MODIFIED", slice("2", "10.244.0.6"));
            await(() -> watch.snapshot().endpoints().get("shop/web:http/TCP").size() == 1, "the endpoint that left goes");

            server.event(SERVICES, "DELETED", service("3"));
            await(() -> watch.snapshot().ports().isEmpty(), "the deleted Service goes");
        } finally {
            watch.close();
        }
    }
}
