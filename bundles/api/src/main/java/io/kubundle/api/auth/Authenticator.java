package io.kubundle.api.auth;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Tells who made a request from the credentials it presented: one kind of credential each
 * (client certificates, bearer tokens of one issuer, ...).
 *
 * <p>Contract:
 * <ul>
 *   <li>The API server asks the authenticators in order of {@code service.ranking} (highest
 *       first, then lowest service id). The first that returns a user decides; when none does,
 *       the request is anonymous: {@code 401 Unauthorized}, except for the endpoints that
 *       anyone may read (health).</li>
 *   <li>Return {@link Optional#empty()} for credentials that are not yours to judge (no
 *       certificate, another kind of token, a token you do not know): the next authenticator is
 *       asked.</li>
 *   <li>Throw {@link AuthenticationException} for credentials that are yours and invalid: the
 *       request gets {@code 401} without asking the others.</li>
 *   <li>A returned user carries {@link UserInfo#ALL_AUTHENTICATED} among its groups.</li>
 *   <li>{@link #authenticate} is called for every request, on many threads at once: it must be
 *       thread-safe and answer from memory (cache remote answers).</li>
 *   <li>Register the service with a {@code name} property ({@code x509}, {@code token}, ...).</li>
 * </ul>
 */
@ConsumerType
public interface Authenticator {

    /** Service property that names an authenticator. */
    String NAME_PROPERTY = "name";

    /**
     * Tells who made a request.
     *
     * @param credentials what the request presented
     * @return the user, or empty when these credentials are not this authenticator's kind
     * @throws AuthenticationException if they are its kind and invalid
     */
    Optional<UserInfo> authenticate(Credentials credentials) throws AuthenticationException;
}
