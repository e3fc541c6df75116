package io.kubundle.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

final class ImageCommandSizeTest {
    @Test
    void sizesAreWrittenAsCrictlWritesThem() {
        assertEquals("0B", ImageCommand.humanSize(0));
        assertEquals("999B", ImageCommand.humanSize(999));
        assertEquals("1.5kB", ImageCommand.humanSize(1500));
        assertEquals("2.21MB", ImageCommand.humanSize(2_212_345));
        assertEquals("77.8MB", ImageCommand.humanSize(77_812_345));
        assertEquals("1.2GB", ImageCommand.humanSize(1_200_000_000));
    }
}
