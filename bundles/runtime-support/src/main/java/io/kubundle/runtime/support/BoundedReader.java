package io.kubundle.runtime.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a stream to its end on its own thread, keeping the first {@code limit} bytes. */
public final class BoundedReader {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final Thread thread;

    /** Starts reading on a daemon thread named {@code threadName}. */
    public BoundedReader(InputStream in, int limit, String threadName) {
        thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    // Reading on past the limit keeps the writer from blocking on a full pipe.
                    kept.write(buffer, 0, Math.max(0, Math.min(n, limit - kept.size())));
                }
            } catch (IOException closed) {
                // the process ended or was killed: keep what came
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** What was kept, once the stream ended. */
    public byte[] bytes() throws InterruptedException {
        thread.join();
        return kept.toByteArray();
    }
}
