package io.kubundle.api.auth;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether an authenticated user may do what a request asks.
 *
 * <p>Contract, as Kubernetes' union authorizer:
 * <ul>
 *   <li>The API server asks the authorizers in order of {@code service.ranking} (highest first,
 *       then lowest service id); the first {@link Decision#ALLOW} or {@link Decision#DENY}
 *       decides. When every authorizer answers {@link Decision#NO_OPINION}, or none is present,
 *       the request is refused with {@code 403 Forbidden}.</li>
 *   <li>An authorizer that throws is taken as {@link Decision#NO_OPINION} and logged, so one
 *       broken plugin cannot grant anything.</li>
 *   <li>{@link #authorize} is called for every request, on many threads at once: it must be
 *       thread-safe and answer from memory.</li>
 *   <li>Register the service with a {@code name} property ({@code rbac}, {@code webhook}, ...).
 *       A fallback that allows broadly takes a low ranking, so that finer authorizers come
 *       first.</li>
 * </ul>
 */
@ConsumerType
public interface Authorizer {

    /** Service property that names an authorizer. */
    String NAME_PROPERTY = "name";

    /** Decides on one request. */
    Decision authorize(AuthorizationAttributes attributes);
}
