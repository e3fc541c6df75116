package io.kubundle.itests.store.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.kubundle.api.store.Store;
import io.kubundle.store.embedded.internal.EmbeddedStoreFactory;

/**
 * Durable writes per second and their latency, for the embedded store and for etcd, with the same
 * client code: each client thread creates new keys one after the other, as the API server creates
 * objects (for etcd, the transaction the API server sends: put if the key's version is 0).
 *
 * <p>Arguments: {@code DIR SECONDS VALUE_BYTES CLIENTS[,CLIENTS...] [ETCD_ENDPOINT]}; a store per
 * run is opened under DIR, and etcd is left out without an endpoint.
 */
public final class StoreBench {
    /** One client's write: returns once the write is durable. */
    private interface Writer {
        void create(String key) throws Exception;
    }

    private interface Target extends AutoCloseable {
        Writer writer();
    }

    private record Result(String store, int clients, double perSecond, double p50, double p99) {
    }

    private StoreBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int seconds = Integer.parseInt(args[1]);
        byte[] value = new byte[Integer.parseInt(args[2])];
        new Random(42).nextBytes(value);
        int[] clientCounts = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        String etcd = args.length > 4 ? args[4] : null;
        List<Result> results = new ArrayList<>();
        int run = 0;
        for (int clients : clientCounts) {
            Path storeDir = dir.resolve("embedded-" + run++);
            results.add(measure("embedded", clients, seconds, embedded(storeDir, value)));
        }
        if (etcd != null) {
            for (int clients : clientCounts) {
                results.add(measure("etcd", clients, seconds, etcd(etcd, "/bench/" + run++ + "/", value)));
            }
        }
        System.out.printf("%n| store | clients | writes/s | p50 ms | p99 ms |%n|---|---:|---:|---:|---:|%n");
        for (Result r : results) {
            System.out.printf("| %s | %d | %.0f | %.2f | %.2f |%n", r.store, r.clients, r.perSecond, r.p50, r.p99);
        }
    }

    private static Target embedded(Path dir, byte[] value) throws Exception {
        Files.createDirectories(dir);
        EmbeddedStoreFactory factory = new EmbeddedStoreFactory();
        Store store = factory.open(dir);
        return new Target() {
            @Override
            public Writer writer() {
                return key -> store.create(key, value);
            }

            @Override
            public void close() {
                factory.close(store);
            }
        };
    }

    private static Target etcd(String endpoint, String prefix, byte[] value) {
        Client client = Client.builder().endpoints(endpoint).build();
        KV kv = client.getKVClient();
        ByteSequence bytes = ByteSequence.from(value);
        return new Target() {
            @Override
            public Writer writer() {
                return key -> {
                    ByteSequence k = ByteSequence.from(prefix + key, UTF_8);
                    TxnResponse response = kv.txn().If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0)))
                            .Then(Op.put(k, bytes, PutOption.DEFAULT)).commit().get();
                    if (!response.isSucceeded()) {
                        throw new IllegalStateException("key exists: " + key);
                    }
                };
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    /** A warm-up of a fifth of the time, then {@code seconds} of measurement with {@code clients} threads. */
    private static Result measure(String name, int clients, int seconds, Target target) throws Exception {
        try (target) {
            run(target, clients, Math.max(1, seconds / 5), "warm");
            long[] latencies = run(target, clients, seconds, "run");
            Arrays.sort(latencies);
            Result result = new Result(name, clients, latencies.length / (double) seconds,
                    latencies[latencies.length / 2] / 1e6, latencies[(int) (latencies.length * 0.99)] / 1e6);
            System.out.printf("%s, %d clients: %.0f writes/s, p50 %.2f ms, p99 %.2f ms%n", name, clients,
                    result.perSecond, result.p50, result.p99);
            return result;
        }
    }

    /** Runs the clients for {@code seconds}; returns every write's latency in nanoseconds. */
    private static long[] run(Target target, int clients, int seconds, String phase) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        long[][] perClient = new long[clients][];
        Exception[] failure = new Exception[1];
        List<Thread> threads = new ArrayList<>();
        long[] end = new long[1];
        for (int c = 0; c < clients; c++) {
            int client = c;
            Writer writer = target.writer();
            Thread thread = new Thread(() -> {
                long[] latencies = new long[1024];
                int n = 0;
                try {
                    start.await();
                    while (System.nanoTime() < end[0]) {
                        long began = System.nanoTime();
                        writer.create(phase + "/" + client + "/" + n);
                        if (n == latencies.length) {
                            latencies = Arrays.copyOf(latencies, n * 2);
                        }
                        latencies[n++] = System.nanoTime() - began;
                    }
                } catch (Exception e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
                perClient[client] = Arrays.copyOf(latencies, n);
            }, "bench-client-" + c);
            thread.start();
            threads.add(thread);
        }
        end[0] = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw failure[0];
            }
        }
        return Arrays.stream(perClient).flatMapToLong(Arrays::stream).toArray();
    }
}
