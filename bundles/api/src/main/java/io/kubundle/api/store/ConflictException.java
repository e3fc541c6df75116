package io.kubundle.api.store;

/** A conditional write found another mod revision; nothing was changed. */
public class ConflictException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient KeyValue current;

    public ConflictException(KeyValue current, long expectedModRevision) {
        super("conflict on " + current.key() + ": expected revision " + expectedModRevision + ", found "
                + current.modRevision());
        this.current = current;
    }

    /** The entry as it is now. */
    public KeyValue current() {
        return current;
    }
}
