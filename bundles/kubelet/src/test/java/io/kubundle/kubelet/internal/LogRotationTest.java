package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRotationTest {
    @TempDir
    Path dir;

    @Test
    void aLogOverTheSizeIsRenamedAndOnlyTheNewestRotatedFilesAreKept() throws Exception {
        LogRotation rotation = new LogRotation(10, 3);
        Path log = dir.resolve("0.log");
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Files.writeString(log, "short\n");
        assertFalse(rotation.rotate(log, now), "under the size");
        for (int i = 0; i < 4; i++) {
            Files.writeString(log, "line number " + i + "\n");
            assertTrue(rotation.rotate(log, now.plusSeconds(i)));
            assertFalse(Files.exists(log), "the runtime starts the next file");
        }
        List<Path> kept = LogRotation.rotated(log);
        assertEquals(2, kept.size(), "three files in all with the live one: " + kept);
        assertEquals("line number 2\n", Files.readString(kept.get(0)));
        assertEquals("line number 3\n", Files.readString(kept.get(1)));
        assertEquals(List.of(), LogRotation.rotated(dir.resolve("absent/0.log")));
    }
}
