package io.kubundle.kubelet.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.runtime.ContainerState;

/** CRI log files read as kubectl logs shows them, with each option the kubelet takes. */
class ContainerLogsTest {
    private static final String LOG = """
            2024-05-01T10:00:00.000000001Z stdout F first
            2024-05-01T10:00:01.5Z stderr F oops
            2024-05-01T10:00:02.000000000Z stdout P part one,
            2024-05-01T10:00:02.100000000Z stdout P  two,
            2024-05-01T10:00:02.200000000Z stdout F  three
            not a cri line
            2024-05-01T12:00:03.000000000+02:00 stdout F 
            2024-05-01T10:00:04.000000000Z stdout F last
            """;

    @TempDir
    Path dir;
    private final LocalProcesses node = new LocalProcesses();

    private String logs(String query) throws Exception {
        Path log = dir.resolve("0.log");
        if (!Files.exists(log)) {
            Files.writeString(log, LOG);
        }
        node.add("ns/pod/c", log, ContainerState.EXITED);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContainerLogs.write(node.find("ns", "pod", "c", false).orElseThrow(), options(query), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static LogOptions options(String query) {
        Map<String, List<String>> parameters = new java.util.HashMap<>();
        for (String pair : query.split("&")) {
            if (!pair.isEmpty()) {
                String[] kv = pair.split("=", 2);
                parameters.put(kv[0], List.of(kv.length > 1 ? kv[1] : ""));
            }
        }
        return LogOptions.parse(parameters, Clock.fixed(Instant.parse("2024-05-01T10:00:04Z"), ZoneOffset.UTC));
    }

    @Test
    void printsTheTextJoiningPartialRecordsAndSkippingWhatIsNotCri() throws Exception {
        assertEquals("first\noops\npart one, two, three\n\nlast\n", logs(""));
    }

    @Test
    void timestampsAreTheKubeletsFixedNanosecondsInUtcOnceALine() throws Exception {
        assertEquals("""
                2024-05-01T10:00:00.000000001Z first
                2024-05-01T10:00:01.500000000Z oops
                2024-05-01T10:00:02.000000000Z part one, two, three
                2024-05-01T10:00:03.000000000Z\040
                2024-05-01T10:00:04.000000000Z last
                """, logs("timestamps=true"));
    }

    @Test
    void tailCountsTheFilesRecords() throws Exception {
        assertEquals("last\n", logs("tailLines=1"));
        assertEquals("\nlast\n", logs("tailLines=2"));
        assertEquals("", logs("tailLines=0"));
        assertEquals(" three\n\nlast\n", logs("tailLines=4"), "the invalid line counts, the partial line is cut");
        assertEquals(logs(""), logs("tailLines=100"));
    }

    @Test
    void sinceLeavesOutOlderLines() throws Exception {
        assertEquals("part one, two, three\n\nlast\n", logs("sinceTime=2024-05-01T10:00:02Z"));
        assertEquals("\nlast\n", logs("sinceSeconds=1"), "one second before the clock's now");
        assertEquals("\nlast\n", logs("sinceTime=2024-05-01T12:00:03+02:00"));
    }

    @Test
    void limitBytesCutsTheOutput() throws Exception {
        assertEquals("first\noo", logs("limitBytes=8"));
        assertEquals("2024-05-01T10:00:04.000000000Z la", logs("tailLines=1&timestamps=1&limitBytes=33"));
    }

    @Test
    void previousReadsTheInstanceBefore() throws Exception {
        Path old = dir.resolve("old.log");
        Files.writeString(old, "2024-05-01T09:00:00Z stdout F before the restart\n");
        node.add("ns/pod/c/previous", old, ContainerState.EXITED);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContainerLogs.write(node.find("ns", "pod", "c", true).orElseThrow(), options("previous=true&follow=true"), out);
        assertEquals("before the restart\n", out.toString(StandardCharsets.UTF_8), "a previous instance is never followed");
    }

    @Test
    void followStreamsUntilTheContainerExitsAndTheFileIsDrainedAcrossARotation() throws Exception {
        Path log = dir.resolve("0.log");
        node.add("ns/pod/c", log, ContainerState.RUNNING);
        PipedLines out = new PipedLines();
        CompletableFuture<Void> follow = CompletableFuture.runAsync(() -> {
            try {
                ContainerLogs.write(node.find("ns", "pod", "c", false).orElseThrow(), options("follow=true"), out);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(3 * ContainerLogs.POLL.toMillis());
        Files.writeString(log, "2024-05-01T10:00:00Z stdout F one\n2024-05-01T10:00:01Z stdout P tw");
        out.await("one\n");
        append(log, "o-a");
        Thread.sleep(2 * ContainerLogs.POLL.toMillis());
        append(log, "\n2024-05-01T10:00:01Z stdout F nd-b\n");
        out.await("one\ntwo-and-b\n");
        // rotation: the runtime renames the file and starts a new one; the rest of the old one is still read
        append(log, "2024-05-01T10:00:02Z stdout F three\n");
        Files.move(log, dir.resolve("0.log.1"));
        Files.writeString(log, "2024-05-01T10:00:03Z stdout F four\n");
        out.await("one\ntwo-and-b\nthree\nfour\n");
        append(log, "2024-05-01T10:00:04Z stdout F five, written as it exits\n");
        node.exit("ns/pod/c");
        follow.get(5, TimeUnit.SECONDS);
        assertEquals("one\ntwo-and-b\nthree\nfour\nfive, written as it exits\n", out.text());
    }

    private static void append(Path log, String text) throws IOException {
        Files.writeString(log, text, StandardOpenOption.APPEND);
    }

    /** What a follow wrote so far, with a wait for an expected prefix. */
    private static final class PipedLines extends ByteArrayOutputStream {
        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }

        void await(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!text().equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(expected, text());
        }
    }
}
