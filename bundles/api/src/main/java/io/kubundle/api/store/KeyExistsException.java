package io.kubundle.api.store;

/** A create found the key already there. */
public class KeyExistsException extends StoreException {
    private static final long serialVersionUID = 1L;

    public KeyExistsException(String key) {
        super("key exists: " + key);
    }
}
