package io.kubundle.api.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a request presented to prove who made it, as the API server received it.
 *
 * @param peerCertificates the client's TLS certificate chain, its own certificate first, as the
 *        TLS layer accepted it; empty when the client sent none
 * @param authorization the value of the {@code Authorization} header, or {@code null} if absent
 */
public record Credentials(List<X509Certificate> peerCertificates, String authorization) {

    private static final String BEARER = "bearer";

    /** A {@code null} certificate list is taken as empty; the list is copied. */
    public Credentials {
        peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
    }

    /**
     * The token of an {@code Authorization: Bearer <token>} header, parsed as Kubernetes does:
     * the scheme in any case, the token up to the next space; empty for any other header, or an
     * empty token.
     */
    public Optional<String> bearerToken() {
        if (authorization == null) {
            return Optional.empty();
        }
        String[] parts = authorization.strip().split(" ", 3);
        if (parts.length < 2 || !parts[0].toLowerCase(Locale.ROOT).equals(BEARER) || parts[1].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parts[1]);
    }
}
