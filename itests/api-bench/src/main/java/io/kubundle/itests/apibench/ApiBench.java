package io.kubundle.itests.apibench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The API server benchmark (itests/bench/api.sh): open-loop create/get/list latency, LIST of many
 * pods, and watch fan-out, against a running {@code kubundle up} over HTTPS on 127.0.0.1.
 *
 * <p>Arguments: {@code BASE_URL CA_PEM SECONDS [SERVER_PID]}; the bearer token comes from the
 * environment variable {@code KUBUNDLE_BENCH_TOKEN} (so it is not on the command line). With
 * {@code API_BENCH_JSTACK=<file>} and a server pid, jstack samples of the server taken during extra
 * (untimed) full LISTs are written to that file.
 */
public final class ApiBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PODS = Integer.getInteger("apibench.pods", 10_000);
    private static final int POD_CLIENTS = Integer.getInteger("apibench.podClients", 16);
    private static final int WATCHERS = Integer.getInteger("apibench.watchers", 100);
    private static final int WATCH_RATE = Integer.getInteger("apibench.watchRate", 500);
    private static final int WATCH_OBJECTS = 200;

    private final BenchApi api;
    private final HttpClient client;
    /**
     * Open-loop requests go out through this fixed pool, so at most {@code apibench.connections}
     * requests are in flight and as many connections open. The JDK client over HTTP/1.1 otherwise opens
     * a new TLS connection for every request in flight, and a stall of the server then turns into a
     * storm of TLS handshakes. A request waiting for a sender still counts from its scheduled time.
     */
    private final java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(
            Integer.getInteger("apibench.connections", 64), r -> {
                Thread t = new Thread(r, "sender");
                t.setDaemon(true);
                return t;
            });

    private ApiBench(BenchApi api) {
        this.api = api;
        this.client = api.client;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ApiBench BASE_URL CA_PEM SECONDS [SERVER_PID]");
            System.exit(2);
        }
        int seconds = Integer.parseInt(args[2]);
        long serverPid = args.length > 3 ? Long.parseLong(args[3]) : -1;
        ApiBench bench = new ApiBench(new BenchApi(args[0], Path.of(args[1])));
        String phases = System.getProperty("apibench.phases", "latency,list,watch");
        if (phases.contains("latency")) {
            bench.latency(seconds);
        }
        if (phases.contains("list")) {
            bench.bigList(serverPid);
        }
        if (phases.contains("watch")) {
            bench.watchFanOut(seconds);
        }
    }

    // ---------------------------------------------------------------- requests

    private HttpRequest.Builder request(String path) {
        return api.request(path).timeout(Duration.ofSeconds(60));
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest post(String path, String body) {
        return request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest mergePatch(String path, String body) {
        return request(path).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private void sendLater(HttpRequest request,
            java.util.function.BiConsumer<HttpResponse<String>, Throwable> then) {
        senders.execute(() -> {
            HttpResponse<String> response = null;
            Throwable failure = null;
            try {
                response = client.send(request, BodyHandlers.ofString());
            } catch (Exception e) {
                failure = e;
            }
            then.accept(response, failure);
        });
    }

    private String call(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(request.method() + " " + request.uri() + ": " + response.statusCode() + " "
                    + abbreviate(response.body()));
        }
        return response.body();
    }

    private void createNamespace(String name) throws Exception {
        call(post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
                + name + "\"}}"));
    }

    private static String configMap(String name, String value) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"bench\"}},\"data\":{\"key\":\"" + value + "\"}}";
    }

    private static String pod(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"containers\":[{\"name\":\"app\","
                + "\"image\":\"registry.example/app:1.0\",\"ports\":[{\"containerPort\":8080}]}]}}";
    }

    /** What kind of failure: the HTTP status and reason, or the exception's class. */
    private static String kind(HttpResponse<String> response, Throwable failure) {
        if (failure != null) {
            return failure.getClass().getSimpleName();
        }
        String body = response.body();
        int at = body == null ? -1 : body.indexOf("\"reason\":\"");
        return response.statusCode() + (at < 0 ? "" : " " + body.substring(at + 10, body.indexOf('"', at + 10)));
    }

    private static String abbreviate(String s) {
        s = s == null ? "" : s.replace('\n', ' ');
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    // ---------------------------------------------------------------- 1. open-loop latency

    private record Result(String name, int scheduled, long[] okLatencies, int errors, double achievedRate,
            String firstError, java.util.Map<String, Integer> errorKinds) {
    }

    /**
     * Sends {@code rate * seconds} requests at fixed intervals whatever the responses, and measures each
     * from its scheduled send time to the end of its response.
     */
    private Result openLoop(String name, double rate, int seconds, IntFunction<HttpRequest> requests)
            throws InterruptedException {
        int n = (int) Math.round(rate * seconds);
        long interval = Math.round(1e9 / rate);
        long[] latencies = new long[n];
        Arrays.fill(latencies, -1);
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        java.util.Map<String, Integer> errorKinds = new ConcurrentHashMap<>();
        AtomicLong lastDone = new AtomicLong();
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime() + 20_000_000L;
        for (int i = 0; i < n; i++) {
            long at = start + i * interval;
            waitUntil(at);
            int index = i;
            HttpRequest request = requests.apply(i);
            sendLater(request, (response, failure) -> {
                long end = System.nanoTime();
                if (failure == null && response.statusCode() / 100 == 2) {
                    latencies[index] = end - at;
                } else {
                    errors.incrementAndGet();
                    errorKinds.merge(kind(response, failure), 1, Integer::sum);
                    firstError.compareAndSet(null, failure != null ? failure.toString()
                            : response.statusCode() + " " + abbreviate(response.body()));
                }
                lastDone.accumulateAndGet(end, Math::max);
                done.countDown();
            });
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            System.out.println("  (" + name + ": " + done.getCount() + " requests still open after 120 s)");
        }
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        double achieved = ok.length / ((lastDone.get() - start) / 1e9);
        return new Result(name, n, ok, errors.get(), achieved, firstError.get(), errorKinds);
    }

    private void latency(int seconds) throws Exception {
        String ns = "bench-latency";
        createNamespace(ns);
        String path = "/api/v1/namespaces/" + ns + "/configmaps";
        String value = "x".repeat(64);
        // warm-up (not reported): connections, TLS sessions, JIT
        openLoop("warm-up create", 50, 3, i -> post(path, configMap("warm-" + i, value)));
        openLoop("warm-up get", 50, 3, i -> get(path + "/warm-" + (i % 150)));
        openLoop("warm-up list", 50, 3, i -> get(path + "?limit=500"));
        openLoop("warm-up patch", 50, 3, i -> mergePatch(path + "/warm-" + (i % 150), "{\"data\":{\"key\":\"" + i + "\"}}"));

        System.out.printf(Locale.ROOT, "%n== API latency, open loop, %d s per row (ConfigMaps in one namespace; "
                + "list = limit=500) ==%n", seconds);
        System.out.printf(Locale.ROOT, "%-7s %6s %9s %9s %9s %9s %9s %7s%n", "op", "rate/s", "sent", "achieved/s",
                "p50 ms", "p99 ms", "max ms", "errors");
        List<String> errors = new ArrayList<>();
        for (int rate : new int[] { 20, 200 }) {
            String prefix = "cm-" + rate + "-";
            int created = rate * seconds;
            List<Result> results = new ArrayList<>();
            results.add(openLoop("create", rate, seconds, i -> post(path, configMap(prefix + i, value))));
            results.add(openLoop("get", rate, seconds, i -> get(path + "/" + prefix + (i * 7919L % created))));
            results.add(openLoop("list", rate, seconds, i -> get(path + "?limit=500")));
            // an update of an existing object: a merge patch of one of the row's ConfigMaps
            results.add(openLoop("patch", rate, seconds, i -> mergePatch(path + "/" + prefix + (i * 7919L % created),
                    "{\"data\":{\"key\":\"" + i + "\"}}")));
            for (Result r : results) {
                System.out.printf(Locale.ROOT, "%-7s %6d %9d %10.1f %9.2f %9.2f %9.2f %7d%n", r.name, rate, r.scheduled,
                        r.achievedRate, ms(BenchApi.percentile(r.okLatencies, 0.50)), ms(BenchApi.percentile(r.okLatencies, 0.99)),
                        ms(BenchApi.percentile(r.okLatencies, 1.0)), r.errors);
                if (r.firstError != null) {
                    errors.add(r.name + " at " + rate + "/s: " + r.errorKinds + "; first: " + r.firstError);
                }
            }
        }
        errors.forEach(e -> System.out.println("  errors, " + e));
    }

    // ---------------------------------------------------------------- 2. LIST of many pods

    private void bigList(long serverPid) throws Exception {
        String ns = "bench-pods";
        createNamespace(ns);
        String path = "/api/v1/namespaces/" + ns + "/pods";
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        long[] latencies = new long[PODS];
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < POD_CLIENTS; t++) {
            Thread thread = new Thread(() -> {
                int i;
                while ((i = next.getAndIncrement()) < PODS) {
                    long begin = System.nanoTime();
                    try {
                        call(post(path, pod(String.format(Locale.ROOT, "pod-%05d", i))));
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                    latencies[i] = System.nanoTime() - begin;
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double took = (System.nanoTime() - start) / 1e9;
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%n== LIST of %d pods (one namespace) ==%n", PODS);
        System.out.printf(Locale.ROOT, "create: %d pods by %d clients (closed loop) in %.1f s = %.0f pods/s, "
                + "p50 %.2f ms, p99 %.2f ms, max %.2f ms, errors %d%n", PODS, POD_CLIENTS, took, PODS / took,
                ms(BenchApi.percentile(sorted, 0.5)), ms(BenchApi.percentile(sorted, 0.99)), ms(BenchApi.percentile(sorted, 1.0)), errors.get());
        if (firstError.get() != null) {
            System.out.println("  first error: " + firstError.get());
        }

        // one untimed full LIST first (JIT of the list path)
        fullList(path);
        long[] full = new long[5];
        long fullBytes = 0;
        int fullItems = 0;
        for (int i = 0; i < full.length; i++) {
            long begin = System.nanoTime();
            byte[] body = fullList(path);
            full[i] = System.nanoTime() - begin;
            fullBytes = body.length;
            fullItems = JSON.readTree(body).path("items").size();
        }
        long[] paged = new long[5];
        long pagedBytes = 0;
        int pagedItems = 0;
        int pages = 0;
        for (int i = 0; i < paged.length; i++) {
            long begin = System.nanoTime();
            pagedBytes = 0;
            pagedItems = 0;
            pages = 0;
            String cont = null;
            do {
                String url = path + "?limit=500" + (cont == null ? "" : "&continue="
                        + java.net.URLEncoder.encode(cont, StandardCharsets.UTF_8));
                HttpResponse<byte[]> response = client.send(get(url), BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new IOException("paged LIST: " + response.statusCode() + " "
                            + abbreviate(new String(response.body(), StandardCharsets.UTF_8)));
                }
                pagedBytes += response.body().length;
                pages++;
                JsonNode page = JSON.readTree(response.body());
                pagedItems += page.path("items").size();
                cont = page.path("metadata").path("continue").asText("");
                if (cont.isEmpty()) {
                    cont = null;
                }
            } while (cont != null);
            paged[i] = System.nanoTime() - begin;
        }
        Arrays.sort(full);
        Arrays.sort(paged);
        System.out.printf(Locale.ROOT, "%-22s %6s %8s %12s %10s %10s%n", "LIST (5 runs)", "items", "requests", "bytes",
                "median ms", "max ms");
        System.out.printf(Locale.ROOT, "%-22s %6d %8d %12d %10.1f %10.1f%n", "full (no limit)", fullItems, 1, fullBytes,
                ms(full[2]), ms(full[4]));
        System.out.printf(Locale.ROOT, "%-22s %6d %8d %12d %10.1f %10.1f%n", "paged (limit=500)", pagedItems, pages,
                pagedBytes, ms(paged[2]), ms(paged[4]));
        System.out.println("(paged times include the client's JSON parse of each page to read its continue token)");

        String jstackFile = System.getenv("API_BENCH_JSTACK");
        if (jstackFile != null && !jstackFile.isEmpty() && serverPid > 0) {
            sampleDuringLists(path, serverPid, Path.of(jstackFile));
        }
    }

    private byte[] fullList(String path) throws Exception {
        HttpResponse<byte[]> response = client.send(get(path), BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("full LIST: " + response.statusCode());
        }
        return response.body();
    }

    /** Untimed: full LISTs back to back while jstack samples the server ten times. */
    private void sampleDuringLists(String path, long pid, Path out) throws Exception {
        AtomicInteger running = new AtomicInteger(1);
        Thread lister = new Thread(() -> {
            while (running.get() == 1) {
                try {
                    fullList(path);
                } catch (Exception e) {
                    return;
                }
            }
        });
        lister.start();
        Thread.sleep(300);
        StringBuilder samples = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            Process jstack = new ProcessBuilder("jstack", Long.toString(pid)).redirectErrorStream(true).start();
            samples.append("==== sample ").append(i).append('\n')
                    .append(new String(jstack.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            jstack.waitFor();
            Thread.sleep(150);
        }
        running.set(0);
        lister.join();
        Files.writeString(out, samples);
        System.out.println("(10 jstack samples of the server during back-to-back full LISTs: " + out + ")");
    }

    // ---------------------------------------------------------------- 3. watch fan-out

    /** One watch: reads events line by line and records, per event, its resourceVersion and lag. */
    private static final class Watcher implements Runnable {
        final BufferedReader reader;
        long[] rvs = new long[1024];
        long[] lags = new long[1024];
        int count;
        volatile long lastRv;
        volatile String failure;
        final List<String> otherEvents = new ArrayList<>();

        Watcher(InputStream in) {
            this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        }

        @Override
        public void run() {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    long now = System.nanoTime();
                    if (line.isBlank()) {
                        continue;
                    }
                    long rv = longField(line, "\"resourceVersion\":\"");
                    long sent = longField(line, "\"sentNanos\":\"");
                    if (rv < 0 || !(line.startsWith("{\"type\":\"ADDED\"") || line.startsWith("{\"type\":\"MODIFIED\""))) {
                        if (otherEvents.size() < 5) {
                            otherEvents.add(abbreviate(line));
                        }
                        if (rv < 0) {
                            continue;
                        }
                    }
                    if (count == rvs.length) {
                        rvs = Arrays.copyOf(rvs, count * 2);
                        lags = Arrays.copyOf(lags, count * 2);
                    }
                    rvs[count] = rv;
                    lags[count] = sent < 0 ? -1 : now - sent;
                    count++;
                    lastRv = rv;
                }
            } catch (IOException e) {
                // closed at the end of the run
                if (failure == null) {
                    failure = e.toString();
                }
            }
        }

        private static long longField(String line, String key) {
            int at = line.indexOf(key);
            if (at < 0) {
                return -1;
            }
            int from = at + key.length();
            int to = line.indexOf('"', from);
            try {
                return Long.parseLong(line, from, to, 10);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private void watchFanOut(int seconds) throws Exception {
        String ns = "bench-watch";
        createNamespace(ns);
        String path = "/api/v1/namespaces/" + ns + "/configmaps";
        // the objects the run updates exist before the watches start, so every timed write is an update
        for (int i = 0; i < WATCH_OBJECTS; i++) {
            call(post(path, configMap("w-" + i, "0")));
        }
        String rv = JSON.readTree(call(get(path + "?limit=1"))).path("metadata").path("resourceVersion").asText();
        HttpClient watchClient = api.newClient();
        List<CompletableFuture<HttpResponse<InputStream>>> opened = new ArrayList<>();
        for (int i = 0; i < WATCHERS; i++) {
            opened.add(watchClient.sendAsync(request(path + "?watch=1&resourceVersion=" + rv).timeout(Duration.ofHours(1))
                    .GET().build(), BodyHandlers.ofInputStream()));
        }
        List<Watcher> watchers = new ArrayList<>();
        List<InputStream> streams = new ArrayList<>();
        for (CompletableFuture<HttpResponse<InputStream>> future : opened) {
            HttpResponse<InputStream> response = future.get(30, TimeUnit.SECONDS);
            if (response.statusCode() != 200) {
                throw new IOException("watch: " + response.statusCode() + " "
                        + abbreviate(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)));
            }
            streams.add(response.body());
            Watcher watcher = new Watcher(response.body());
            watchers.add(watcher);
            Thread thread = new Thread(watcher, "watcher-" + watchers.size());
            thread.setDaemon(true);
            thread.start();
        }
        // every watch is live once each has seen this first write
        long syncRv = rvOf(call(post(path, configMap("sync-start", "0"))));
        awaitWatchers(watchers, syncRv, 30);

        int objects = WATCH_OBJECTS;
        java.util.Map<String, Integer> errorKinds = new ConcurrentHashMap<>();
        int n = WATCH_RATE * seconds;
        long interval = 1_000_000_000L / WATCH_RATE;
        Set<Long> written = ConcurrentHashMap.newKeySet();
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        long[] writeLatency = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime() + 20_000_000L;
        for (int i = 0; i < n; i++) {
            long at = start + i * interval;
            waitUntil(at);
            int index = i;
            String name = "w-" + (i % objects);
            String stamp = Long.toString(System.nanoTime());
            HttpRequest request = mergePatch(path + "/" + name, "{\"data\":{\"sentNanos\":\"" + stamp + "\"}}");
            sendLater(request, (response, failure) -> {
                writeLatency[index] = System.nanoTime() - at;
                if (failure == null && response.statusCode() / 100 == 2) {
                    written.add(rvOf(response.body()));
                } else {
                    errors.incrementAndGet();
                    errorKinds.merge(kind(response, failure), 1, Integer::sum);
                    writeLatency[index] = -1;
                    firstError.compareAndSet(null, failure != null ? failure.toString()
                            : response.statusCode() + " " + abbreviate(response.body()));
                }
                done.countDown();
            });
        }
        double writeSeconds = (System.nanoTime() - start) / 1e9;
        if (!done.await(120, TimeUnit.SECONDS)) {
            System.out.println("  " + done.getCount() + " writes still open after 120 s");
        }
        long endRv = rvOf(call(post(path, configMap("sync-end", "0"))));
        boolean caughtUp = awaitWatchers(watchers, endRv, 60);
        for (InputStream stream : streams) {
            stream.close();
        }

        // every watcher must have every successful write exactly once, in resourceVersion order
        long lost = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        long unexpected = 0;
        long delivered = 0;
        long[] allLags = new long[WATCHERS * (n + 2)];
        int lagCount = 0;
        List<String> others = new ArrayList<>();
        for (Watcher w : watchers) {
            Set<Long> seen = new HashSet<>();
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < w.count; i++) {
                long eventRv = w.rvs[i];
                if (eventRv == syncRv || eventRv == endRv) {
                    previous = Math.max(previous, eventRv);
                    continue;
                }
                if (!seen.add(eventRv)) {
                    duplicated++;
                    continue;
                }
                if (eventRv < previous) {
                    outOfOrder++;
                }
                previous = Math.max(previous, eventRv);
                if (!written.contains(eventRv)) {
                    unexpected++;
                    continue;
                }
                delivered++;
                if (w.lags[i] >= 0) {
                    allLags[lagCount++] = w.lags[i];
                }
            }
            for (Long expected : written) {
                if (!seen.contains(expected)) {
                    lost++;
                }
            }
            if (others.size() < 3) {
                others.addAll(w.otherEvents);
            }
        }
        long[] lags = Arrays.copyOf(allLags, lagCount);
        Arrays.sort(lags);
        long[] writes = Arrays.stream(writeLatency).filter(l -> l >= 0).sorted().toArray();
        System.out.printf(Locale.ROOT, "%n== Watch fan-out: %d watchers, %d writes/s for %d s (merge patches of "
                + "%d ConfigMaps) ==%n", WATCHERS, WATCH_RATE, seconds, objects);
        System.out.printf(Locale.ROOT, "writes: %d sent in %.1f s, %d ok, %d errors; write latency p50 %.2f ms, "
                + "p99 %.2f ms, max %.2f ms%n", n, writeSeconds, written.size(), errors.get(),
                ms(BenchApi.percentile(writes, 0.5)), ms(BenchApi.percentile(writes, 0.99)), ms(BenchApi.percentile(writes, 1.0)));
        if (firstError.get() != null) {
            System.out.println("  write errors: " + errorKinds + "; first: " + firstError.get());
        }
        System.out.printf(Locale.ROOT, "%-10s %12s %9s %9s %9s %6s %6s %9s %10s%n", "watchers", "delivered",
                "p50 ms", "p99 ms", "max ms", "lost", "dup", "reorder", "unexpected");
        System.out.printf(Locale.ROOT, "%-10d %12d %9.2f %9.2f %9.2f %6d %6d %9d %10d%n", WATCHERS, delivered,
                ms(BenchApi.percentile(lags, 0.5)), ms(BenchApi.percentile(lags, 0.99)), ms(BenchApi.percentile(lags, 1.0)), lost, duplicated,
                outOfOrder, unexpected);
        System.out.println("(lag = receive time - the writer's send time carried in the object; expected "
                + (long) written.size() * WATCHERS + " deliveries" + (caughtUp ? "" : "; NOT all watchers caught up")
                + ")");
        for (Watcher w : watchers) {
            if (w.failure != null && !w.failure.contains("closed")) {
                System.out.println("  a watcher failed: " + w.failure);
                break;
            }
        }
        others.forEach(o -> System.out.println("  other event: " + o));
    }

    private static boolean awaitWatchers(List<Watcher> watchers, long rv, int timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (watchers.stream().allMatch(w -> w.lastRv >= rv)) {
                return true;
            }
            Thread.sleep(10);
        }
        long behind = watchers.stream().filter(w -> w.lastRv < rv).count();
        System.out.println("  " + behind + " watchers had not seen resourceVersion " + rv + " after "
                + timeoutSeconds + " s");
        return false;
    }

    private static long rvOf(String body) {
        try {
            return Long.parseLong(JSON.readTree(body).path("metadata").path("resourceVersion").asText());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no resourceVersion in " + abbreviate(body), e);
        }
    }

    // ---------------------------------------------------------------- statistics

    private static double ms(long nanos) {
        return nanos < 0 ? Double.NaN : nanos / 1e6;
    }

    /** Open loop: sends happen at their scheduled time, however the earlier ones fare. */
    private static void waitUntil(long nanoTime) {
        long wait;
        while ((wait = nanoTime - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
