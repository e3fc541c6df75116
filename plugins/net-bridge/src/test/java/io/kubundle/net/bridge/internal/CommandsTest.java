package io.kubundle.net.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.kubundle.api.network.NetworkFailure;

final class CommandsTest {
    private final Commands commands = new Commands(Duration.ofSeconds(5));

    @Test
    void givesInputAndKeepsOutputAndErrorApart() throws NetworkFailure {
        Commands.Result result = commands.run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"), "hello\n");
        assertFalse(result.ok());
        assertEquals(3, result.exit());
        assertEquals("hello\n", result.out());
        assertEquals("oops", result.err());
    }

    @Test
    void aFailureSaysTheCommandTheBatchAndWhatItPrinted() {
        NetworkFailure failure = assertThrows(NetworkFailure.class,
                () -> commands.must(List.of("sh", "-c", "echo 'RTNETLINK answers: File exists' >&2; exit 2"), "link add x\nlink set x up\n"));
        assertEquals("`sh -c echo 'RTNETLINK answers: File exists' >&2; exit 2` with [link add x; link set x up] failed (exit 2): "
                + "RTNETLINK answers: File exists", failure.getMessage());
    }

    @Test
    void aMissingProgramIsAFailureNotACrash() {
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> commands.run(List.of("/nonexistent/ip", "link")));
        assertTrue(failure.getMessage().startsWith("cannot run `/nonexistent/ip link`"), failure.getMessage());
    }

    @Test
    void aHungCommandIsKilledAtTheTimeout() {
        Commands quick = new Commands(Duration.ofMillis(300));
        long start = System.nanoTime();
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> quick.run(List.of("sleep", "30")));
        assertTrue(failure.getMessage().contains("did not finish within 300 ms"), failure.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    }
}
