package io.kubundle.api.runtime;

/**
 * A runtime operation failed. The reason is the word Kubernetes shows for it
 * ({@code CreateContainerError}, {@code StartError}, {@code ErrImagePull}, {@code ImageInspectError},
 * {@code Timeout}, ...); the message says what happened, for {@code kubectl describe}.
 */
public class RuntimeFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public RuntimeFailure(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public RuntimeFailure(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** The Kubernetes reason word. */
    public String reason() {
        return reason;
    }
}
