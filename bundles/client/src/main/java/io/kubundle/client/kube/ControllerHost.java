package io.kubundle.client.kube;

import java.util.function.Supplier;

/**
 * Runs a controller while its component is active: starts it on a thread of its own (discovery
 * and first lists need the API server, which may still be starting, or being swapped), retrying
 * with back-off until it starts, and closes it when the component goes. A new instance (after a
 * swap) starts from fresh lists, so it catches up on whatever happened while none ran.
 */
public final class ControllerHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ControllerHost.class.getName());

    /** A controller: informers, a queue and workers. */
    public interface Controller extends AutoCloseable {
        /** Lists, starts informers and workers; throws if the API server cannot be reached yet. */
        void start() throws Exception;

        @Override
        void close();
    }

    private final String name;
    private final Thread starter;
    private volatile Controller running;
    private volatile boolean closed;

    public ControllerHost(String name, Supplier<Controller> factory) {
        this.name = name;
        this.starter = new Thread(() -> startWithRetries(factory), name + "-start");
        starter.setDaemon(true);
        starter.start();
    }

    private void startWithRetries(Supplier<Controller> factory) {
        long backoff = 100;
        while (!closed) {
            Controller next = factory.get();
            try {
                next.start();
                synchronized (this) {
                    if (closed) {
                        next.close();
                    } else {
                        running = next;
                    }
                }
                return;
            } catch (Exception e) {
                next.close();
                LOG.log(System.Logger.Level.DEBUG, "{0}: cannot start yet: {1}", name, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(5_000, backoff * 2);
            }
        }
    }

    /** True once the controller runs. */
    public boolean isRunning() {
        return running != null;
    }

    @Override
    public void close() {
        Controller current;
        synchronized (this) {
            closed = true;
            current = running;
        }
        starter.interrupt();
        try {
            starter.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (current != null) {
            current.close();
        }
    }
}
