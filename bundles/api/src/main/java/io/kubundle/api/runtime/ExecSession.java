package io.kubundle.api.runtime;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A command running in a container with its streams attached ({@link ContainerRuntime#exec}), or
 * an attach to a container's own streams ({@link ContainerRuntime#attach}). With a terminal, stderr
 * is merged into stdout and {@link #stderr()} is empty.
 */
public interface ExecSession extends AutoCloseable {
    /** The command's stdin; closing it sends end-of-file. Empty sink when stdin was not asked. */
    OutputStream stdin();

    /** The command's stdout (with a terminal, everything it prints). */
    InputStream stdout();

    /** The command's stderr. */
    InputStream stderr();

    /** Completes with the exit code when the command ends (for an attach, see {@link ContainerRuntime#attach}). */
    CompletableFuture<Integer> exitCode();

    /** Sets the terminal's size; ignored without a terminal. */
    void resize(int columns, int rows);

    /**
     * Kills the command if it still runs and releases the streams; an attach only detaches, the
     * container runs on. Idempotent.
     */
    @Override
    void close();
}
