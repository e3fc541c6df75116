package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.Test;

import io.kubundle.api.store.Store;

class CompactorTest {
    /** Only the three methods the compactor calls, recording compactions; anything else is a test bug. */
    private static final class RecordingStore {
        long current;
        long compacted;
        final List<Long> compactions = new ArrayList<>();

        Store proxy() {
            return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, (self, method, args) ->
                switch (method.getName()) {
                    case "currentRevision" -> current;
                    case "compactedRevision" -> compacted;
                    case "compact" -> {
                        compacted = (Long) args[0];
                        compactions.add(compacted);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        }
    }

    @Test
    void eachTickCompactsToThePreviousTicksRevision() {
        RecordingStore store = new RecordingStore();
        Store proxy = store.proxy();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try (Compactor compactor = new Compactor(() -> proxy, timers, 0)) {
            store.current = 10;
            compactor.tick();
            assertEquals(List.of(), store.compactions, "the first tick only remembers");
            store.current = 25;
            compactor.tick();
            assertEquals(List.of(10L), store.compactions, "one interval of history is kept");
            compactor.tick();
            assertEquals(List.of(10L, 25L), store.compactions);
            compactor.tick();
            assertEquals(List.of(10L, 25L), store.compactions, "no writes, nothing more to compact");
        } finally {
            timers.shutdownNow();
        }
    }
}
