package io.kubundle.itests.apibench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The scheduler's throughput and latency against {@code kubundle up} with simulated nodes: waits
 * for the nodes to be Ready, watches the namespace's pods, creates PODS bare pods (no nodeName)
 * from CLIENTS threads as fast as the API server takes them, and records when each create was
 * answered and when the watch first showed the pod with a node. Prints pods/s from the first
 * create to the last pod bound, and the per-pod latency (create answered to binding seen).
 */
public final class SchedulerBench {
    private static final ObjectMapper JSON = BenchApi.JSON;
    private static final String NAMESPACE = "sched-bench";

    private final BenchApi api;

    private SchedulerBench(BenchApi api) {
        this.api = api;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: SchedulerBench BASE_URL CA_PEM PODS NODES [CLIENTS]");
            System.exit(2);
        }
        SchedulerBench bench = new SchedulerBench(new BenchApi(args[0], Path.of(args[1])));
        int pods = Integer.parseInt(args[2]);
        int nodes = Integer.parseInt(args[3]);
        int clients = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        bench.run(pods, nodes, clients);
    }

    private int readyNodes() throws Exception {
        int ready = 0;
        for (JsonNode node : api.get("/api/v1/nodes").path("items")) {
            for (JsonNode condition : node.path("status").path("conditions")) {
                if (condition.path("type").asText().equals("Ready") && condition.path("status").asText().equals("True")) {
                    ready++;
                }
            }
        }
        return ready;
    }

    private void run(int pods, int nodes, int clients) throws Exception {
        long waitStart = System.nanoTime();
        int ready;
        while ((ready = readyNodes()) < nodes) {
            if (System.nanoTime() - waitStart > TimeUnit.MINUTES.toNanos(10)) {
                throw new IllegalStateException("only " + ready + " of " + nodes + " nodes Ready after 10 min");
            }
            Thread.sleep(1000);
        }
        System.out.printf("%d nodes Ready (waited %.1f s)%n", ready, (System.nanoTime() - waitStart) / 1e9);
        api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NAMESPACE + "\"}}");
        String revision = api.get("/api/v1/namespaces/" + NAMESPACE + "/pods").path("metadata").path("resourceVersion").asText();

        long[] created = new long[pods];
        long[] bound = new long[pods];
        Map<String, String> nodeOf = new ConcurrentHashMap<>();
        AtomicInteger boundCount = new AtomicInteger();
        CountDownLatch allBound = new CountDownLatch(pods);
        AtomicLong lastBound = new AtomicLong();
        AtomicLong firstBound = new AtomicLong();

        // the watch: when each pod is first seen with a node
        HttpResponse<InputStream> watch = api.client.send(api.request("/api/v1/namespaces/" + NAMESPACE + "/pods?watch=1&resourceVersion="
                + revision + "&timeoutSeconds=3600").timeout(Duration.ofHours(1)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread watcher = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    long now = System.nanoTime();
                    JsonNode event = JSON.readTree(line);
                    JsonNode pod = event.path("object");
                    String name = pod.path("metadata").path("name").asText();
                    String node = pod.path("spec").path("nodeName").asText("");
                    if (node.isEmpty() || !name.startsWith("bench-")) {
                        continue;
                    }
                    if (nodeOf.putIfAbsent(name, node) == null) {
                        int index = Integer.parseInt(name.substring(6));
                        bound[index] = now;
                        firstBound.compareAndSet(0, now);
                        lastBound.set(now);
                        boundCount.incrementAndGet();
                        allBound.countDown();
                    } else if (!nodeOf.get(name).equals(node)) {
                        System.out.println("pod " + name + " moved from " + nodeOf.get(name) + " to " + node + "!");
                    }
                }
            } catch (Exception e) {
                if (allBound.getCount() > 0) {
                    System.out.println("watch ended: " + e);
                }
            }
        }, "bench-watch");
        watcher.setDaemon(true);
        watcher.start();

        ExecutorService creators = Executors.newFixedThreadPool(clients);
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < pods; i++) {
            int index = i;
            creators.execute(() -> {
                String body = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bench-" + index
                        + "\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.example/app:1.0\","
                        + "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"}}}]}}";
                for (int attempt = 0; attempt < 5; attempt++) {
                    try {
                        HttpResponse<String> response = api.send(api.request("/api/v1/namespaces/" + NAMESPACE + "/pods")
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
                        if (response.statusCode() == 201) {
                            created[index] = System.nanoTime();
                            return;
                        }
                    } catch (Exception e) {
                        // retried
                    }
                }
                failures.incrementAndGet();
            });
        }
        creators.shutdown();
        creators.awaitTermination(30, TimeUnit.MINUTES);
        long createsDone = System.nanoTime();
        System.out.printf("created %d pods in %.2f s (%.0f/s) with %d clients, %d failed%n", pods - failures.get(),
                (createsDone - start) / 1e9, (pods - failures.get()) / ((createsDone - start) / 1e9), clients, failures.get());
        if (Boolean.getBoolean("schedbench.createOnly")) {
            System.out.println("create only (no scheduler): not waiting for bindings");
            System.exit(failures.get() == 0 ? 0 : 1);
        }
        if (!allBound.await(15, TimeUnit.MINUTES)) {
            System.out.printf("NOT ALL BOUND: %d of %d after 15 min%n", boundCount.get(), pods);
        }
        long end = lastBound.get();
        double seconds = (end - start) / 1e9;
        long[] latencies = new long[pods];
        int n = 0;
        for (int i = 0; i < pods; i++) {
            if (bound[i] != 0 && created[i] != 0) {
                latencies[n++] = Math.max(0, bound[i] - created[i]);
            }
        }
        latencies = Arrays.copyOf(latencies, n);
        Arrays.sort(latencies);
        Map<String, Integer> perNode = new java.util.HashMap<>();
        nodeOf.values().forEach(node -> perNode.merge(node, 1, Integer::sum));
        List<Integer> counts = new ArrayList<>(perNode.values());
        counts.sort(null);
        System.out.printf("bound %d pods: first create to last bound %.2f s = %.0f pods/s; first to last binding %.2f s = %.0f pods/s%n",
                boundCount.get(), seconds, boundCount.get() / seconds, (end - firstBound.get()) / 1e9,
                boundCount.get() / Math.max(1e-9, (end - firstBound.get()) / 1e9));
        System.out.printf("latency (create answered -> binding seen): p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                pct(latencies, 0.5), pct(latencies, 0.9), pct(latencies, 0.99), pct(latencies, 1.0));
        System.out.printf("spread: %d nodes used, pods per node min %d, median %d, max %d%n", perNode.size(),
                counts.isEmpty() ? 0 : counts.get(0), counts.isEmpty() ? 0 : counts.get(counts.size() / 2),
                counts.isEmpty() ? 0 : counts.get(counts.size() - 1));
        System.exit(boundCount.get() == pods ? 0 : 1);
    }

    private static double pct(long[] sorted, double q) {
        return Math.max(0, BenchApi.percentile(sorted, q)) / 1e6;
    }
}
