package io.kubundle.api.store;

/** An update or delete found no such key. */
public class KeyNotFoundException extends StoreException {
    private static final long serialVersionUID = 1L;

    public KeyNotFoundException(String key) {
        super("key not found: " + key);
    }
}
