package io.kubundle.api.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * Scratch space for one scheduling attempt of one pod, shared by the plugins: what a PreFilter
 * or PreScore computed for the plugin's Filter or Score. Key by the plugin's name (and more) so
 * plugins do not collide. Made for one attempt and dropped after its binding cycle; not
 * thread-safe (the scheduling thread writes it, the binding thread reads it after).
 */
public final class CycleState {
    private final Map<String, Object> values = new HashMap<>();

    public void put(String key, Object value) {
        values.put(key, value);
    }

    /** The value under the key, or null. */
    @SuppressWarnings("unchecked")
    public <T> T get(String key) {
        return (T) values.get(key);
    }

    public void remove(String key) {
        values.remove(key);
    }

    /** A copy (preemption tries nodes on copies). */
    public CycleState copy() {
        CycleState copy = new CycleState();
        copy.values.putAll(values);
        return copy;
    }
}
