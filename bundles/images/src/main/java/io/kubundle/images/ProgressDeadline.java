package io.kubundle.images;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a download's stream when nothing arrives for a while, as the kubelet's
 * {@code --image-pull-progress-deadline} did: a registry that stalls fails the pull instead of
 * hanging the pod worker that waits for it. One watching thread per download, gone with it.
 */
final class ProgressDeadline implements AutoCloseable {
    private final long limitNanos;
    private final Thread watcher;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean expired;

    ProgressDeadline(InputStream in, Duration limit, String what) {
        this.limitNanos = limit.toNanos();
        this.watcher = new Thread(() -> watch(in), "kubundle-pull-deadline " + what);
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Something arrived. */
    void progress() {
        lastProgress = System.nanoTime();
    }

    /** Whether the stream was closed for want of progress. */
    boolean expired() {
        return expired;
    }

    private void watch(InputStream in) {
        try {
            while (true) {
                long idle = System.nanoTime() - lastProgress;
                if (idle >= limitNanos) {
                    expired = true;
                    in.close(); // a read blocked in the downloading thread ends with an IOException
                    return;
                }
                TimeUnit.NANOSECONDS.sleep(limitNanos - idle);
            }
        } catch (InterruptedException | IOException e) {
            // closed: the download ended first, or closing failed and the read fails anyway
        }
    }

    @Override
    public void close() {
        watcher.interrupt();
    }
}
