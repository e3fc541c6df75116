package io.kubundle.client.admin;

/**
 * An admin request failed. The message is one line meant for the person who asked; {@link #status()}
 * is the HTTP status of the reply, or 0 when there was no reply.
 */
public final class AdminException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public AdminException(String message) {
        this(message, 0, null);
    }

    public AdminException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status of the reply, or 0 when the request got no HTTP reply. */
    public int status() {
        return status;
    }
}
