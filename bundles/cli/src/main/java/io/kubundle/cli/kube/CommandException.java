package io.kubundle.cli.kube;

/** A failure the CLI explains itself; kubectl prints these as {@code error: message}. */
public final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    public CommandException(String message) {
        super(message);
    }

    public CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
