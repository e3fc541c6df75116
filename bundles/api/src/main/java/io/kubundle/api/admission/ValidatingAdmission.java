package io.kubundle.api.admission;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A validating admission hook, the in-process form of a Kubernetes validating admission webhook:
 * it sees each write after the mutating hooks and the API server's own validation, and may only
 * refuse it.
 *
 * <p>Contract:
 * <ul>
 *   <li>Called once per write request (create, update, delete), possibly on several threads at
 *       once: implementations must be thread-safe and return within milliseconds.</li>
 *   <li>The request's object is a copy: changing it changes nothing that is stored.</li>
 *   <li>To refuse, throw {@link AdmissionDeniedException}; the client receives {@code 403
 *       Forbidden} with its message and nothing is written. Every validating hook present must
 *       accept for the write to happen.</li>
 *   <li>Register the service with a {@code name} property, as mutating hooks do.</li>
 * </ul>
 */
@ConsumerType
public interface ValidatingAdmission {
    /**
     * Accepts the request by returning, or refuses it.
     *
     * @throws AdmissionDeniedException to refuse the request
     */
    void validate(AdmissionRequest request) throws AdmissionDeniedException;
}
