package io.kubundle.api.auth;

/**
 * Thrown by an authenticator for credentials that are its kind but not valid (an expired or
 * forged token, a certificate that does not verify). The message goes to the API server's log,
 * never to the client.
 */
public class AuthenticationException extends Exception {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
