package io.kubundle.api.store;

import java.util.Objects;

/**
 * One key's value at one revision.
 *
 * @param key the key
 * @param value the value; callers must not change the array
 * @param createRevision the revision at which the key was (last) created
 * @param modRevision the revision of the last write to the key
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision) {
    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
