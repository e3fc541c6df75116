package io.kubundle.runtime.runc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class LogPumpTest {
    @TempDir
    Path dir;

    @Test
    void splitsLinesAndMarksLongAndUnfinishedOnesPartial() throws Exception {
        Path fifo = fifo();
        Path log = dir.resolve("c.log");
        try (RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw")) {
            LogPump pump = new LogPump(fifo, "stdout", log, "test-pump");
            holder.write(("a\nb" + "x".repeat(20_000) + "\n\ntail").getBytes(StandardCharsets.UTF_8));
            awaitDrained(pump);
            holder.close();
            assertTrue(pump.await(5000));
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(5, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z stdout F a"), lines.get(0));
        assertEquals("stdout P b" + "x".repeat(LogPump.MAX_LINE - 1), content(lines.get(1)));
        assertEquals("stdout F " + "x".repeat(20_001 - LogPump.MAX_LINE), content(lines.get(2)));
        assertEquals("stdout F ", content(lines.get(3)));
        assertEquals("stdout P tail", content(lines.get(4)));
    }

    @Test
    void closingWritesWhatWasReadAndLeavesTheRestForTheNextReader() throws Exception {
        Path fifo = fifo();
        Path log = dir.resolve("c.log");
        try (RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw")) {
            LogPump first = new LogPump(fifo, "stderr", log, "test-pump-1");
            holder.write("one\ntw".getBytes(StandardCharsets.UTF_8));
            awaitDrained(first);
            Thread.sleep(100);
            first.close();
            assertTrue(first.finished());
            holder.write("o\nthree\n".getBytes(StandardCharsets.UTF_8));
            LogPump second = new LogPump(fifo, "stderr", log, "test-pump-2");
            awaitDrained(second);
            holder.close();
            assertTrue(second.await(5000));
        }
        List<String> lines = Files.readAllLines(log).stream().map(LogPumpTest::content).toList();
        assertEquals(List.of("stderr F one", "stderr P tw", "stderr F o", "stderr F three"), lines);
    }

    @Test
    void aLogRenamedAwayIsContinuedInANewFile() throws Exception {
        Path fifo = fifo();
        Path log = dir.resolve("c.log");
        try (RandomAccessFile holder = new RandomAccessFile(fifo.toFile(), "rw")) {
            LogPump pump = new LogPump(fifo, "stdout", log, "test-pump");
            holder.write("before\n".getBytes(StandardCharsets.UTF_8));
            awaitDrained(pump);
            Thread.sleep(100);
            Files.move(log, dir.resolve("c.log.1"));
            holder.write("after\n".getBytes(StandardCharsets.UTF_8));
            holder.close();
            assertTrue(pump.await(5000));
        }
        assertEquals(List.of("stdout F before"), Files.readAllLines(dir.resolve("c.log.1")).stream()
                .map(LogPumpTest::content).toList());
        assertEquals(List.of("stdout F after"), Files.readAllLines(log).stream().map(LogPumpTest::content).toList());
    }

    private Path fifo() throws IOException {
        Path fifo = dir.resolve("fifo");
        Commands.check(List.of("mkfifo", fifo.toString()), Duration.ofSeconds(5));
        return fifo;
    }

    private static void awaitDrained(LogPump pump) throws InterruptedException {
        for (int i = 0; i < 500 && !pump.drained(); i++) {
            Thread.sleep(10);
        }
    }

    private static String content(String line) {
        return line.substring(line.indexOf(' ') + 1);
    }
}
