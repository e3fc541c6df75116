package io.kubundle.kubelet.internal;

/**
 * A pod that cannot be run as written: a missing ConfigMap or key, a bad field path. The container
 * waits with {@link #reason()} ({@code CreateContainerConfigError}) and the message, and the kubelet
 * tries again: the object may appear.
 */
final class ConfigError extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    ConfigError(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }
}
