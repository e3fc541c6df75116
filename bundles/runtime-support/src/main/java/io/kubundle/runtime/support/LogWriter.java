package io.kubundle.runtime.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The shim's log writer, a perl script that copies a container's stdout and stderr FIFOs into its
 * CRI log (see README). A runtime writes it into the container's directory ({@link
 * ContainerDir#logWriter()}), where its shim runs it.
 */
public final class LogWriter {
    /** The script's text. */
    public static final String SCRIPT = load();

    private LogWriter() {
    }

    // read here: a runtime's class loader does not see this bundle's resources
    private static String load() {
        try (InputStream in = LogWriter.class.getResourceAsStream("log-writer.pl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("the bundle lacks log-writer.pl", e);
        }
    }
}
