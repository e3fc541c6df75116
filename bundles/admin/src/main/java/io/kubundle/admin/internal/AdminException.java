package io.kubundle.admin.internal;

/** A failed admin operation: the HTTP status to answer and a one-line message for the client. */
final class AdminException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    AdminException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }

    /** The first line of a possibly multi-line message, so every error body stays one line. */
    static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "no details";
        }
        String trimmed = message.strip();
        int end = trimmed.indexOf('\n');
        return (end < 0 ? trimmed : trimmed.substring(0, end)).strip();
    }
}
