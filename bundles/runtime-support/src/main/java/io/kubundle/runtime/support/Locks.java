package io.kubundle.runtime.support;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One monitor per sandbox, container or pod id, so that calls on one do not wait for the others. */
public final class Locks {
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public Object of(String id) {
        return locks.computeIfAbsent(id, key -> new Object());
    }

    /** Drops the monitor of an id that is gone. */
    public void forget(String id) {
        locks.remove(id);
    }
}
