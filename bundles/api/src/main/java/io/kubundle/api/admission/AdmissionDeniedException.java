package io.kubundle.api.admission;

/** Thrown by an admission hook to refuse a request; the message is shown to the client. */
public class AdmissionDeniedException extends Exception {
    private static final long serialVersionUID = 1L;

    public AdmissionDeniedException(String message) {
        super(message);
    }
}
