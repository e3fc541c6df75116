package io.kubundle.security.internal;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.KubeClient;

/**
 * Kubernetes' csrcleaner: a request is deleted an hour after it was approved, denied or failed,
 * a day after it was created if it is still pending, and once the certificate it got has
 * expired, so that requests do not pile up. The requester has its certificate by then; a node
 * that still waits for one after a day asks again.
 */
final class CsrCleaner implements CsrController.Step {
    static final Duration DECIDED = Duration.ofHours(1);
    static final Duration PENDING = Duration.ofHours(24);
    private static final System.Logger LOG = System.getLogger(CsrCleaner.class.getName());

    private final Clock clock;

    CsrCleaner(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Duration handle(ObjectNode csr, KubeClient client) throws Exception {
        Instant now = clock.instant();
        Instant deadline = deadline(csr);
        if (deadline.isAfter(now)) {
            return Duration.between(now, deadline);
        }
        String name = csr.path("metadata").path("name").asText();
        client.resources(CsrController.CSRS).delete(null, name);
        LOG.log(System.Logger.Level.INFO, "deleted CertificateSigningRequest {0}, kept until {1}", name, deadline);
        return Duration.ZERO;
    }

    /** When the request is to go: the earliest of its decision plus an hour (or creation plus a day) and its certificate's expiry. */
    static Instant deadline(JsonNode csr) {
        Instant deadline = null;
        for (JsonNode condition : csr.path("status").path("conditions")) {
            String type = condition.path("type").asText();
            if (type.equals(SigningRequest.TYPE_APPROVED) || type.equals(SigningRequest.TYPE_DENIED)
                    || type.equals(SigningRequest.TYPE_FAILED)) {
                Instant decided = time(condition.path("lastUpdateTime"), time(csr.path("metadata").path("creationTimestamp"), Instant.EPOCH));
                deadline = earliest(deadline, decided.plus(DECIDED));
            }
        }
        if (deadline == null) {
            deadline = time(csr.path("metadata").path("creationTimestamp"), Instant.EPOCH).plus(PENDING);
        }
        String certificate = csr.path("status").path("certificate").asText("");
        if (!certificate.isEmpty()) {
            try {
                X509Certificate issued = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(certificate)));
                deadline = earliest(deadline, issued.getNotAfter().toInstant());
            } catch (CertificateException | IllegalArgumentException e) {
                // the API server checks certificates; one it let through that cannot be read is not a reason to delete early
            }
        }
        return deadline;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Instant time(JsonNode value, Instant otherwise) {
        try {
            return value.isTextual() ? Instant.parse(value.asText()) : otherwise;
        } catch (DateTimeParseException e) {
            return otherwise;
        }
    }
}
