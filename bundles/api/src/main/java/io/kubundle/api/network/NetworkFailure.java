package io.kubundle.api.network;

/** A network call failed; the message says what, for {@code kubectl describe pod}. */
public class NetworkFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public NetworkFailure(String message) {
        super(message);
    }

    public NetworkFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
