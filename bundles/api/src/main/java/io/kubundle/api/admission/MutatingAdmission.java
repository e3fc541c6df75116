package io.kubundle.api.admission;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A mutating admission hook, the in-process form of a Kubernetes mutating admission webhook.
 *
 * <p>Contract:
 * <ul>
 *   <li>The admission chain calls {@link #admit} once per write request (create, update, delete)
 *       on the API server's request thread, possibly on several threads at once: implementations
 *       must be thread-safe and should return within milliseconds.</li>
 *   <li>Hooks run in order of {@code service.ranking} (highest first), then service id.</li>
 *   <li>A hook changes the object in place through {@link AdmissionRequest#object()}. It must be
 *       idempotent: the chain may call it again for the same object (on a retried write), and a
 *       second call must leave the object as the first one did.</li>
 *   <li>To refuse a request, throw {@link AdmissionDeniedException}; the client receives a
 *       {@code 403 Forbidden} Status carrying its message, and nothing is written.</li>
 *   <li>Register the service with a {@code name} property: it names the hook in logs, in
 *       {@code kubundle bundles list} and in denials.</li>
 * </ul>
 */
@ConsumerType
public interface MutatingAdmission {

    /** Service property that names a hook. */
    String NAME_PROPERTY = "name";

    /**
     * Looks at one request and changes its object if it must.
     *
     * @param request the request; its object is the one that will be stored
     * @throws AdmissionDeniedException to refuse the request
     */
    void admit(AdmissionRequest request) throws AdmissionDeniedException;
}
