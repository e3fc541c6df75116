package io.kubundle.controller.service.internal;

/** A requested address or port that cannot be given, with the words Kubernetes uses for it. */
class AllocationException extends Exception {
    private static final long serialVersionUID = 1L;

    AllocationException(String message) {
        super(message);
    }
}
