package io.kubundle.images;

import java.io.IOException;

/** A blob whose content does not hash to (or is not the size of) the digest that names it. */
public class DigestMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    public DigestMismatchException(String message) {
        super(message);
    }
}
