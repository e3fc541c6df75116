package io.kubundle.api.admission;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The ordered set of admission hooks present right now. The API server calls it for every
 * write; hooks arrive and leave while the system runs, and each call uses those present when it
 * starts.
 */
@ProviderType
public interface AdmissionChain {

    /**
     * Runs every mutating hook on the request, in order, changing its object in place.
     *
     * @throws AdmissionDeniedException naming the hook that refused
     */
    void admit(AdmissionRequest request) throws AdmissionDeniedException;

    /**
     * Runs every validating hook on the request (after {@link #admit} and the API server's own
     * validation); the request's object is the chain's to copy, never stored from here.
     *
     * @throws AdmissionDeniedException naming the first hook that refused
     */
    void validate(AdmissionRequest request) throws AdmissionDeniedException;

    /** The names of the hooks that {@link #admit} would run now, in order. */
    List<String> hookNames();
}
