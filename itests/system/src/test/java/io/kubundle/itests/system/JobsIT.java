package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Job and CronJob controllers in {@code up} with simulated nodes, driven by the real kubectl:
 * the tutorial's Job (parallelism 2, completions 6), a Job over its backoffLimit, an Indexed Job,
 * ttlSecondsAfterFinished, the Job controller swapped out and back mid-Job, and CronJobs firing
 * every minute with their history limits. The CronJobs are created first and checked last, so
 * the minute they wait for passes while the Jobs run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobsIT {
    @TempDir
    static Path dir;

    static Distribution distribution;
    static KubundleProcess up;
    static KubundleProcess sim;
    static Kubectl kubectl;

    @BeforeAll
    static void startUp() throws Exception {
        distribution = Distribution.copyInto(dir);
        // a failed pod is replaced after 1 s, not Kubernetes' 10 s, to keep the test short
        Files.writeString(distribution.home.resolve("etc/io.kubundle.controller.job.cfg"), "podFailureBackoffSeconds = 1\n");
        Path data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()));
        sim = KubundleProcess.start(distribution, dir.resolve("sim"), "sim-nodes", "--kubeconfig", data.resolve("kubeconfig").toString(),
                "--count", "2");
        kubectl = new Kubectl(data.resolve("kubeconfig"), dir.resolve("kube-cache"));
        apply("cronjobs.yaml", """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: tick}
                spec:
                  schedule: "*/1 * * * *"
                  timeZone: Europe/Paris
                  successfulJobsHistoryLimit: 1
                  jobTemplate:
                    spec:
                      template:
                        metadata: {annotations: {sim.kubundle.io/run-seconds: "1"}}
                        spec: {nodeName: sim-0, restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}
                ---
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: forget}
                spec:
                  schedule: "* * * * *"
                  successfulJobsHistoryLimit: 0
                  jobTemplate:
                    spec:
                      template:
                        metadata: {annotations: {sim.kubundle.io/run-seconds: "1"}}
                        spec: {nodeName: sim-1, restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        if (sim != null) {
            sim.close();
        }
        if (up != null) {
            up.close();
        }
    }

    private static void apply(String file, String yaml) throws Exception {
        kubectl("apply", "-f", Files.writeString(dir.resolve(file), yaml).toString());
    }

    private static void await(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(250);
        }
    }

    private static String kubectl(String... args) {
        try {
            return kubectl.ok(args);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** {@code name phase} of the Job's pods. */
    private static List<String> pods(String job) {
        return kubectl("get", "pods", "-l", "job-name=" + job, "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.status.phase}{\"\\n\"}{end}").lines().toList();
    }

    private static long running(String job) {
        return pods(job).stream().filter(line -> !line.endsWith("Succeeded") && !line.endsWith("Failed")).count();
    }

    private static String job(String name, String jsonpath) {
        return kubectl("get", "job", name, "-o", "jsonpath=" + jsonpath);
    }

    @Test
    @Order(1)
    void theTutorialsJobRunsSixPodsTwoAtATime() throws Exception {
        apply("pi.yaml", """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: pi}
                spec:
                  completions: 6
                  parallelism: 2
                  template:
                    metadata: {annotations: {sim.kubundle.io/run-seconds: "2"}}
                    spec: {nodeName: sim-0, restartPolicy: OnFailure, containers: [{name: pi, image: perl}]}
                """);
        await(() -> {
            assertTrue(running("pi") <= 2, "never more than parallelism pods at once: " + pods("pi"));
            return job("pi", "{.status.conditions[?(@.type=='Complete')].status}").equals("True");
        }, "the Job completes", 40);
        assertEquals("6", job("pi", "{.status.succeeded}"));
        List<String> pods = pods("pi");
        assertEquals(6, pods.size(), pods.toString());
        assertTrue(pods.stream().allMatch(line -> line.matches("pi-[bcdfghjklmnpqrstvwxz2456789]{5} Succeeded")), pods.toString());
        String table = kubectl("get", "job", "pi");
        assertTrue(table.contains("Complete") && table.contains("6/6"), table);
        assertTrue(kubectl("describe", "job", "pi").contains("SuccessfulCreate"));
        assertTrue(job("pi", "{.spec.selector.matchLabels}").contains("batch.kubernetes.io/controller-uid"));
        assertTrue(!job("pi", "{.status.completionTime}").isEmpty());
    }

    @Test
    @Order(2)
    void aJobOverItsBackoffLimitFails() throws Exception {
        apply("fails.yaml", """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: fails}
                spec:
                  backoffLimit: 1
                  template:
                    metadata: {annotations: {sim.kubundle.io/run-seconds: "1", sim.kubundle.io/exit-code: "1"}}
                    spec: {nodeName: sim-1, restartPolicy: Never, containers: [{name: c, image: busybox}]}
                """);
        await(() -> job("fails", "{.status.conditions[?(@.type=='Failed')].status}").equals("True"), "the Job fails", 30);
        assertEquals("BackoffLimitExceeded", job("fails", "{.status.conditions[?(@.type=='Failed')].reason}"));
        assertEquals("Job has reached the specified backoff limit", job("fails", "{.status.conditions[?(@.type=='Failed')].message}"));
        assertEquals("2", job("fails", "{.status.failed}"));
        assertEquals(2, pods("fails").size(), pods("fails").toString());
        assertTrue(kubectl("describe", "job", "fails").contains("BackoffLimitExceeded"));
        assertTrue(kubectl("get", "job", "fails").contains("Failed"));
    }

    @Test
    @Order(3)
    void anIndexedJobRunsEachIndexOnce() throws Exception {
        apply("indexed.yaml", """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: indexed}
                spec:
                  completions: 3
                  parallelism: 3
                  completionMode: Indexed
                  template:
                    metadata: {annotations: {sim.kubundle.io/run-seconds: "1"}}
                    spec: {nodeName: sim-0, restartPolicy: Never, containers: [{name: c, image: busybox}]}
                """);
        await(() -> job("indexed", "{.status.conditions[?(@.type=='Complete')].status}").equals("True"), "the Job completes", 30);
        assertEquals("0-2", job("indexed", "{.status.completedIndexes}"));
        String names = kubectl("get", "pods", "-l", "job-name=indexed", "-o",
                "jsonpath={range .items[*]}{.metadata.labels.batch\\.kubernetes\\.io/job-completion-index}:{.metadata.name} {end}");
        assertEquals(3, names.trim().split(" ").length, names);
        for (int index = 0; index < 3; index++) {
            assertTrue(names.matches("(?s).*\\b" + index + ":indexed-" + index + "-[a-z0-9]{5}\\b.*"), names);
        }
    }

    @Test
    @Order(4)
    void aFinishedJobGoesAfterItsTtlWithItsPods() throws Exception {
        apply("ttl.yaml", """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: ttl}
                spec:
                  ttlSecondsAfterFinished: 2
                  template:
                    metadata: {annotations: {sim.kubundle.io/run-seconds: "1"}}
                    spec: {nodeName: sim-1, restartPolicy: Never, containers: [{name: c, image: busybox}]}
                """);
        await(() -> !kubectl("get", "jobs", "-o", "name").contains("job.batch/ttl"), "the Job is deleted", 30);
        await(() -> pods("ttl").isEmpty(), "the collector deletes its pods", 20);
    }

    @Test
    @Order(5)
    void theJobControllerIsSwappedMidJobWithoutDuplicates() throws Exception {
        apply("swap.yaml", """
                apiVersion: batch/v1
                kind: Job
                metadata: {name: swap}
                spec:
                  completions: 6
                  parallelism: 3
                  template:
                    metadata: {annotations: {sim.kubundle.io/run-seconds: "6"}}
                    spec: {nodeName: sim-0, restartPolicy: Never, containers: [{name: c, image: busybox}]}
                """);
        await(() -> pods("swap").size() == 3, "the first three pods", 20);
        Path data = dir.resolve("data");
        Path jar;
        try (var files = Files.list(distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("kubundle-controller-job-")).findFirst().orElseThrow();
        }
        Distribution.Result removed = distribution.kubundle("bundles", "uninstall", "io.kubundle.controller.job", "--data-dir", data.toString());
        assertEquals(0, removed.exitCode(), removed.err());
        try {
            int before = pods("swap").size();
            await(() -> running("swap") == 0, "the pods finish while no controller runs", 20);
            assertEquals(before, pods("swap").size(), "nobody replaces them: " + pods("swap"));
            assertTrue(before < 6, "the controller left mid-Job: " + pods("swap"));
        } finally {
            Distribution.Result installed = distribution.kubundle("bundles", "install", jar.toString(), "--data-dir", data.toString());
            assertEquals(0, installed.exitCode(), installed.err());
        }
        await(() -> {
            assertTrue(pods("swap").size() <= 6, "no pod too many: " + pods("swap"));
            return job("swap", "{.status.conditions[?(@.type=='Complete')].status}").equals("True");
        }, "the new controller finishes the Job", 40);
        assertEquals(6, pods("swap").size(), pods("swap").toString());
        assertEquals("6", job("swap", "{.status.succeeded}"));
    }

    @Test
    @Order(6)
    void cronJobsFireEveryMinuteAndKeepTheirHistory() throws Exception {
        // the CronJob controller is replaced; the new one fires the next minute from its informers' cache
        SimCluster.swap(distribution, dir, "io.kubundle.controller.cronjob", "kubundle-controller-cronjob-", "2.0.0");
        Instant swapped = Instant.now();
        await(() -> {
            String scheduled = kubectl("get", "cronjob", "tick", "-o", "jsonpath={.status.lastScheduleTime}");
            String succeeded = kubectl("get", "cronjob", "tick", "-o", "jsonpath={.status.lastSuccessfulTime}");
            return !scheduled.isEmpty() && Instant.parse(scheduled).isAfter(swapped) && !succeeded.isEmpty()
                    && !Instant.parse(succeeded).isBefore(Instant.parse(scheduled));
        }, "a Job scheduled after the swap completes", 80);
        // each scheduled Job created once, whichever controller was there: no message twice, no event counted twice
        List<String> creations = kubectl("get", "events", "--field-selector", "involvedObject.name=tick,reason=SuccessfulCreate",
                "-o", "jsonpath={range .items[*]}{.message} x{.count}{\"\\n\"}{end}").lines().toList();
        assertTrue(!creations.isEmpty() && creations.stream().allMatch(line -> line.endsWith(" x1") || line.endsWith(" x"))
                && creations.stream().distinct().count() == creations.size(), creations.toString());
        String scheduled = kubectl("get", "cronjob", "tick", "-o", "jsonpath={.status.lastScheduleTime}");
        String expected = "tick-" + Instant.parse(scheduled).getEpochSecond() / 60;
        assertTrue(kubectl("get", "jobs", "-o", "name").contains("job.batch/" + expected), kubectl("get", "jobs"));
        assertTrue(kubectl("get", "job", expected, "-o", "jsonpath={.metadata.annotations}").contains("+0"),
                "the scheduled time is written in Europe/Paris");
        assertTrue(kubectl("describe", "cronjob", "tick").contains("SuccessfulCreate"));
        assertTrue(kubectl("get", "cronjob", "tick").contains("*/1 * * * *"));

        await(() -> !kubectl("get", "cronjob", "forget", "-o", "jsonpath={.status.lastSuccessfulTime}").isEmpty(),
                "forget's first Job completes", 30);
        await(() -> kubectl("get", "jobs", "-o", "name").lines().noneMatch(line -> line.startsWith("job.batch/forget-")),
                "with successfulJobsHistoryLimit 0 the completed Job is deleted", 20);
    }
}
