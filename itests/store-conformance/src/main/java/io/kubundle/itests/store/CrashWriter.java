package io.kubundle.itests.store;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.Store;

/**
 * The child process of the crash test: opens a store and creates keys from several threads as fast
 * as it can until it is killed, printing {@code key revision} for each acknowledged write.
 *
 * <p>Arguments: the {@link StoreFactory} class name, the store directory, the number of threads.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        StoreFactory factory = (StoreFactory) Class.forName(args[0]).getConstructor().newInstance();
        Store store = factory.open(Path.of(args[1]));
        int threads = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        AtomicLong next = new AtomicLong();
        byte[] value = new byte[256];
        for (int i = 0; i < threads; i++) {
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        KeyValue written = store.create(String.format("/crash/%09d", next.incrementAndGet()), value);
                        // one line per write, flushed before the next write: what the parent reads is acknowledged
                        synchronized (out) {
                            out.println(written.key() + " " + written.modRevision());
                            out.flush();
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(1);
                }
            }, "crash-writer-" + i);
            writer.start();
        }
    }
}
