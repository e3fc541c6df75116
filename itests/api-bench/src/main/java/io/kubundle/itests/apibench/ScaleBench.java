package io.kubundle.itests.apibench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The cluster at scale (itests/bench/scale.sh), against {@code kubundle up} and one
 * {@code kubundle sim-nodes} process started just before:
 * <ol>
 * <li>NODES simulated nodes Ready, timed from the moment sim-nodes was started;</li>
 * <li>a Deployment of PODS replicas created, timed to every pod Running (the Deployment and
 * ReplicaSet controllers create the pods, the scheduler binds them, the simulated kubelets run
 * them), with the memory of the master process then;</li>
 * <li>a Deployment of ROLLOUT replicas, once available, gets a new image: the rollout (default
 * strategy, 25% surge and unavailable) is timed to complete as {@code kubectl rollout status} sees it.</li>
 * </ol>
 * Arguments: {@code BASE_URL CA_PEM NODES PODS ROLLOUT SIM_STARTED_EPOCH_MS SERVER_PID}.
 */
public final class ScaleBench {
    private static final String NAMESPACE = "scale-bench";
    private static final Duration PHASE_LIMIT = Duration.ofMinutes(15);

    private final BenchApi api;
    private final long serverPid;

    private ScaleBench(BenchApi api, long serverPid) {
        this.api = api;
        this.serverPid = serverPid;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: ScaleBench BASE_URL CA_PEM NODES PODS ROLLOUT SIM_STARTED_EPOCH_MS SERVER_PID");
            System.exit(2);
        }
        ScaleBench bench = new ScaleBench(new BenchApi(args[0], Path.of(args[1])), Long.parseLong(args[6]));
        int nodes = Integer.parseInt(args[2]);
        int pods = Integer.parseInt(args[3]);
        int rollout = Integer.parseInt(args[4]);
        long simStarted = Long.parseLong(args[5]);
        bench.nodesReady(nodes, simStarted);
        bench.api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NAMESPACE + "\"}}");
        if (pods > 0) {
            bench.podsRunning(pods);
        }
        if (rollout > 0) {
            bench.rollout(rollout);
        }
        System.exit(0);
    }

    /** Keeps the latest state of every object a watch reports, and counts those that satisfy a test. */
    private final class Tally {
        final Map<String, Boolean> satisfied = new ConcurrentHashMap<>();
        final AtomicInteger count = new AtomicInteger();
        private final Predicate<JsonNode> test;
        private final Thread reader;

        Tally(String path, Predicate<JsonNode> test) throws Exception {
            this.test = test;
            String revision = api.get(path).path("metadata").path("resourceVersion").asText();
            HttpResponse<InputStream> watch = api.client.send(api.request(path + "?watch=1&allowWatchBookmarks=false&resourceVersion="
                    + revision + "&timeoutSeconds=3600").timeout(Duration.ofHours(1)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            reader = new Thread(() -> read(watch.body()), "watch " + path);
            reader.setDaemon(true);
            reader.start();
        }

        private void read(InputStream body) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    JsonNode event = BenchApi.JSON.readTree(line);
                    String name = event.path("object").path("metadata").path("name").asText();
                    boolean now = !event.path("type").asText().equals("DELETED") && test.test(event.path("object"));
                    Boolean was = satisfied.put(name, now);
                    if (now && !Boolean.TRUE.equals(was)) {
                        count.incrementAndGet();
                    } else if (!now && Boolean.TRUE.equals(was)) {
                        count.decrementAndGet();
                    }
                }
            } catch (Exception e) {
                System.out.println("watch ended: " + e);
            }
        }

        /** Waits until {@code target} objects satisfy the test; returns when that was (System.currentTimeMillis). */
        long await(int target, String what) throws InterruptedException {
            long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
            int last = -1;
            long lastReport = System.nanoTime();
            while (count.get() < target) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + count.get() + " of " + target + " " + what + " after " + PHASE_LIMIT);
                }
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10) && count.get() != last) {
                    last = count.get();
                    lastReport = System.nanoTime();
                    System.out.printf("  ... %d of %d %s%n", last, target, what);
                }
                Thread.sleep(20);
            }
            return System.currentTimeMillis();
        }
    }

    private static boolean ready(JsonNode object) {
        for (JsonNode condition : object.path("status").path("conditions")) {
            if (condition.path("type").asText().equals("Ready")) {
                return condition.path("status").asText().equals("True");
            }
        }
        return false;
    }

    private void nodesReady(int nodes, long simStarted) throws Exception {
        Tally ready = new Tally("/api/v1/nodes", ScaleBench::ready);
        long at = ready.await(nodes, "nodes Ready");
        System.out.printf("%d nodes Ready %.1f s after sim-nodes started; %s%n", nodes, (at - simStarted) / 1e3, memory());
    }

    private static String deployment(String name, int replicas, String image) {
        return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"replicas\":"
                + replicas + ",\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},\"template\":{\"metadata\":{\"labels\":"
                + "{\"app\":\"" + name + "\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"" + image + "\","
                + "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"}}}]}}}}";
    }

    private void podsRunning(int pods) throws Exception {
        String path = "/api/v1/namespaces/" + NAMESPACE + "/pods";
        Predicate<JsonNode> ours = pod -> pod.path("metadata").path("name").asText().startsWith("scale-");
        // three watches, to tell the ReplicaSet controller's, the scheduler's and the kubelets' shares apart
        Tally created = new Tally(path, ours);
        Tally bound = new Tally(path, ours.and(pod -> !pod.path("spec").path("nodeName").asText("").isEmpty()));
        Tally running = new Tally(path, ours.and(pod -> pod.path("status").path("phase").asText().equals("Running")));
        long start = System.currentTimeMillis();
        api.post("/apis/apps/v1/namespaces/" + NAMESPACE + "/deployments", deployment("scale", pods, "registry.example/app:1.0"));
        long allCreated = created.await(pods, "pods created");
        long allBound = bound.await(pods, "pods bound");
        long at = running.await(pods, "pods Running");
        System.out.printf("Deployment of %d replicas: every pod Running %.1f s after the create (%.0f pods/s); all created at %.1f s,"
                + " all bound at %.1f s; %s%n", pods, (at - start) / 1e3, pods / ((at - start) / 1e3), (allCreated - start) / 1e3,
                (allBound - start) / 1e3, memory());
    }

    private void rollout(int replicas) throws Exception {
        String path = "/apis/apps/v1/namespaces/" + NAMESPACE + "/deployments/rollout";
        long start = System.currentTimeMillis();
        api.post("/apis/apps/v1/namespaces/" + NAMESPACE + "/deployments", deployment("rollout", replicas, "registry.example/app:1.0"));
        awaitRolledOut(path, replicas);
        long available = System.currentTimeMillis();
        System.out.printf("Deployment of %d replicas available in %.1f s%n", replicas, (available - start) / 1e3);
        api.mergePatch(path, "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"registry.example/app:2.0\"}]}}}}");
        awaitRolledOut(path, replicas);
        long done = System.currentTimeMillis();
        System.out.printf("rollout of %d replicas to a new image: complete in %.1f s; %s%n", replicas, (done - available) / 1e3, memory());
    }

    /** What {@code kubectl rollout status} waits for: the newest generation seen, every replica updated and available, no old one left. */
    private void awaitRolledOut(String path, int replicas) throws Exception {
        long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
        while (true) {
            JsonNode deployment = api.get(path);
            JsonNode status = deployment.path("status");
            if (status.path("observedGeneration").asLong() >= deployment.path("metadata").path("generation").asLong()
                    && status.path("updatedReplicas").asInt() == replicas && status.path("replicas").asInt() == replicas
                    && status.path("availableReplicas").asInt() == replicas) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not rolled out after " + PHASE_LIMIT + ": " + status);
            }
            Thread.sleep(100);
        }
    }

    /** The master's resident memory, and its live heap: what a full collection leaves (jcmd's GC.run, then GC.heap_info). */
    private String memory() {
        String rss = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + serverPid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = String.format("%.0f MiB", Long.parseLong(line.replaceAll("\\D", "")) / 1024.0);
                }
            }
            jcmd("GC.run");
            long usedKiB = 0;
            for (String line : jcmd("GC.heap_info").split("\n")) {
                java.util.regex.Matcher used = java.util.regex.Pattern.compile("(generation|heap|space)\\b.*\\bused (\\d+)K").matcher(line);
                if (used.find() && !line.contains("Metaspace") && !line.strip().startsWith("class space")) {
                    usedKiB += Long.parseLong(used.group(2));
                }
            }
            return String.format("master RSS %s, live heap %.0f MiB", rss, usedKiB / 1024.0);
        } catch (Exception e) {
            return "master RSS " + rss + " (live heap unknown: " + e.getMessage() + ")";
        }
    }

    private String jcmd(String command) throws Exception {
        Process process = new ProcessBuilder("jcmd", Long.toString(serverPid), command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + command + ": " + out);
        }
        return out;
    }
}
