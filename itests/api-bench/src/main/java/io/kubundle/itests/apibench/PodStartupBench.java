package io.kubundle.itests.apibench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Pod startup latency on a real node, as Kubernetes' SLO measures it: from each pod's creation
 * (the client's clock just before the POST) to the watch event that shows it Running, with the
 * image already on the node. Creates the pods one after the other without waiting, then prints
 * p50, p99 and the maximum.
 *   PodStartupBench BASE CA_PEM PODS IMAGE
 */
public final class PodStartupBench {
    private PodStartupBench() {
    }

    public static void main(String[] args) throws Exception {
        BenchApi api = new BenchApi(args[0], Path.of(args[1]));
        int pods = Integer.parseInt(args[2]);
        String image = args[3];
        Map<String, Long> created = new ConcurrentHashMap<>();
        Map<String, Long> running = new ConcurrentHashMap<>();
        String path = "/api/v1/namespaces/default/pods";
        String revision = api.get(path).path("metadata").path("resourceVersion").asText();
        HttpResponse<InputStream> watch = api.client.send(api.request(path + "?watch=1&resourceVersion=" + revision
                + "&timeoutSeconds=600").timeout(Duration.ofMinutes(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null;) {
                    long now = System.nanoTime();
                    JsonNode pod = BenchApi.JSON.readTree(line).path("object");
                    if (pod.path("status").path("phase").asText().equals("Running")) {
                        running.putIfAbsent(pod.path("metadata").path("name").asText(), now);
                    }
                }
            } catch (Exception e) {
                System.out.println("watch ended: " + e);
            }
        }, "watch");
        reader.setDaemon(true);
        reader.start();
        for (int i = 0; i < pods; i++) {
            String name = "startup-" + i;
            String body = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
                    + "\"terminationGracePeriodSeconds\":1,\"containers\":[{\"name\":\"c\",\"image\":\"" + image + "\","
                    + "\"command\":[\"sleep\",\"3600\"]}]}}";
            created.put(name, System.nanoTime());
            api.post(path, body);
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (running.size() < pods) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + running.size() + " of " + pods + " pods Running after 5 min");
            }
            Thread.sleep(20);
        }
        long[] millis = created.entrySet().stream().mapToLong(e -> (running.get(e.getKey()) - e.getValue()) / 1_000_000).sorted()
                .toArray();
        System.out.printf("%d pods, creation to Running (watch): p50 %d ms, p99 %d ms, max %d ms%n", pods,
                BenchApi.percentile(millis, 0.5), BenchApi.percentile(millis, 0.99), millis[millis.length - 1]);
        System.out.println("all: " + Arrays.toString(millis));
        System.exit(0);
    }
}
