package io.kubundle.runtime.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shim's log writer ({@code log-writer.pl}) on real FIFOs. */
final class LogWriterTest {
    private static final int MAX_LINE = 16 * 1024;

    @TempDir
    Path dir;
    private Path log;
    private Process writer;
    private FileOutputStream out;
    private FileOutputStream err;

    @BeforeEach
    void start() throws IOException {
        Path script = dir.resolve("log-writer.pl");
        Files.writeString(script, LogWriter.SCRIPT);
        Commands.check(List.of("mkfifo", dir.resolve("out").toString(), dir.resolve("err").toString(),
                dir.resolve("in").toString()), Duration.ofSeconds(5));
        log = dir.resolve("c.log");
        writer = new ProcessBuilder("perl", script.toString(), log.toString(), "stdout=" + dir.resolve("out"),
                "stderr=" + dir.resolve("err"), "stdin=" + dir.resolve("in"), "input=once", "attach=" + dir.resolve("a.sock"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        // in the writer's order: it opens each FIFO for reading in turn
        out = new FileOutputStream(dir.resolve("out").toFile());
        err = new FileOutputStream(dir.resolve("err").toFile());
        try (BufferedReader ready = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("ready", ready.readLine());
        }
    }

    @AfterEach
    void stop() throws IOException {
        out.close();
        err.close();
        writer.destroyForcibly();
    }

    @Test
    void splitsLinesAndMarksLongAndUnfinishedOnesPartial() throws Exception {
        print(out, "a\nb" + "x".repeat(20_000) + "\n\n" + "y".repeat(MAX_LINE) + "\nz\ntail");
        awaitExit();
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z stdout F a"), lines.get(0));
        assertEquals(List.of("stdout F a", "stdout P b" + "x".repeat(MAX_LINE - 1),
                "stdout F " + "x".repeat(20_001 - MAX_LINE), "stdout F ", "stdout P " + "y".repeat(MAX_LINE),
                "stdout F ", "stdout F z", "stdout P tail"), content(lines));
    }

    @Test
    void aLineWrittenInPiecesIsOneLineAndTheStreamsAreTagged() throws Exception {
        print(out, "one ");
        print(err, "warn");
        Thread.sleep(100);
        print(out, "two\n");
        print(err, "ing\n");
        awaitExit();
        assertEquals(List.of("stderr F warning", "stdout F one two"), content(Files.readAllLines(log)).stream().sorted().toList());
    }

    @Test
    void keepsRunningUntilBothStreamsEnded() throws Exception {
        print(out, "out\n");
        out.close();
        print(err, "not yet");
        Thread.sleep(300);
        assertTrue(writer.isAlive());
        assertEquals(List.of("stdout F out"), content(Files.readAllLines(log)));
        print(err, " done");
        awaitExit();
        assertEquals(List.of("stdout F out", "stderr P not yet done"), content(Files.readAllLines(log)));
    }

    @Test
    void aLogRenamedAwayIsContinuedInANewFile() throws Exception {
        print(out, "before\n");
        for (int i = 0; i < 500 && (!Files.exists(log) || Files.size(log) == 0); i++) {
            Thread.sleep(10);
        }
        Files.move(log, dir.resolve("c.log.1"));
        print(out, "after\n");
        awaitExit();
        assertEquals(List.of("stdout F before"), content(Files.readAllLines(dir.resolve("c.log.1"))));
        assertEquals(List.of("stdout F after"), content(Files.readAllLines(log)));
    }

    @Test
    void manyLinesFromBothStreamsAreAllThereInOrder() throws Exception {
        Thread other = new Thread(() -> {
            for (int i = 1; i <= 5000; i++) {
                print(err, "e" + i + "\n");
            }
        });
        other.start();
        for (int i = 1; i <= 5000; i++) {
            print(out, "o" + i + "\n");
        }
        other.join();
        awaitExit();
        List<String> lines = content(Files.readAllLines(log));
        assertEquals(10_000, lines.size());
        List<String> outs = lines.stream().filter(l -> l.startsWith("stdout")).toList();
        List<String> errs = lines.stream().filter(l -> l.startsWith("stderr")).toList();
        for (int i = 0; i < 5000; i++) {
            assertEquals("stdout F o" + (i + 1), outs.get(i));
            assertEquals("stderr F e" + (i + 1), errs.get(i));
        }
    }

    @Test
    void anAttachedClientGetsTheOutputAsFramesAndItsInputEndsAStdinOnce() throws Exception {
        try (SocketChannel client = attach("attach stdin"); FileInputStream stdin = new FileInputStream(dir.resolve("in").toFile())) {
            assertEquals("ok\n", read(client, 3));
            print(out, "partial ");
            print(err, "e\n");
            ByteBuffer frames = ByteBuffer.allocate(2 * 5 + "partial ".length() + 2);
            while (frames.hasRemaining()) {
                client.read(frames);
            }
            frames.flip();
            Map<Integer, String> streams = new HashMap<>();
            while (frames.hasRemaining()) {
                int stream = frames.get();
                byte[] data = new byte[frames.getInt()];
                frames.get(data);
                streams.put(stream, new String(data, StandardCharsets.UTF_8));
            }
            assertEquals(Map.of(1, "partial ", 2, "e\n"), streams);
            client.write(ByteBuffer.allocate(5 + 3).put((byte) 0).putInt(3).put("hi\n".getBytes(StandardCharsets.UTF_8)).flip());
            client.write(ByteBuffer.allocate(5).put((byte) 3).putInt(0).flip());
            // the writer held the only write end: the container reads what was sent, then the end of its input
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            for (int b; (b = stdin.read()) >= 0; ) {
                received.write(b);
            }
            assertEquals("hi\n", received.toString(StandardCharsets.UTF_8));
            try (SocketChannel late = attach("attach stdin")) {
                assertTrue(read(late, 200).startsWith("error the container's stdin is closed"));
            }
        }
        awaitExit();
        assertEquals(List.of("stderr F e", "stdout P partial "), content(Files.readAllLines(log)));
    }

    @Test
    void anAttachThatLeavesWithoutWritingDoesNotUseUpAStdinOnce() throws Exception {
        // what the kubelet does when a client's upgrade fails after it opened the attach: close at once
        try (SocketChannel abandoned = attach("attach stdin")) {
            assertEquals("ok\n", read(abandoned, 3));
        }
        try (SocketChannel retried = attach("attach stdin"); FileInputStream stdin = new FileInputStream(dir.resolve("in").toFile())) {
            assertEquals("ok\n", read(retried, 3));
            retried.write(ByteBuffer.allocate(5 + 3).put((byte) 0).putInt(3).put("hi\n".getBytes(StandardCharsets.UTF_8)).flip());
            retried.write(ByteBuffer.allocate(5).put((byte) 3).putInt(0).flip());
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            for (int b; (b = stdin.read()) >= 0; ) {
                received.write(b);
            }
            assertEquals("hi\n", received.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aClientThatDoesNotReadIsDroppedAndTheLogHasEveryLine() throws Exception {
        try (SocketChannel idle = attach("attach")) {
            for (int i = 1; i <= 100_000; i++) {
                print(out, "line " + i + " " + "x".repeat(64) + "\n");
            }
            awaitExit();
        }
        List<String> lines = content(Files.readAllLines(log));
        assertEquals(100_000, lines.size());
        assertEquals("stdout F line 100000 " + "x".repeat(64), lines.get(99_999));
    }

    private SocketChannel attach(String request) throws IOException {
        SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("a.sock")));
        client.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
        return client;
    }

    /** At most {@code length} bytes, until the peer stops sending them. */
    private static String read(SocketChannel client, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && client.read(buffer) > 0) {
            if (buffer.get(buffer.position() - 1) == '\n') {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    private static void print(FileOutputStream stream, String text) {
        try {
            stream.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void awaitExit() throws Exception {
        out.close();
        err.close();
        assertTrue(writer.waitFor(10, TimeUnit.SECONDS), "the writer did not end with its streams");
        assertEquals(0, writer.exitValue());
        assertFalse(writer.isAlive());
    }

    private static List<String> content(List<String> lines) {
        return lines.stream().map(line -> line.substring(line.indexOf(' ') + 1)).toList();
    }
}
