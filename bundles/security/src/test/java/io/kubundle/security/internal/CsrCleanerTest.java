package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** When requests are deleted: as Kubernetes' csrcleaner. */
final class CsrCleanerTest {
    private static final Instant CREATED = Instant.parse("2026-12-02T10:00:00Z");

    private static ObjectNode csr(String... conditions) {
        ObjectNode csr = JsonNodeFactory.instance.objectNode();
        csr.putObject("metadata").put("name", "c").put("creationTimestamp", CREATED.toString());
        var array = csr.putObject("status").putArray("conditions");
        for (String type : conditions) {
            array.addObject().put("type", type).put("status", "True").put("lastUpdateTime", CREATED.plusSeconds(60).toString());
        }
        return csr;
    }

    @Test
    void pendingRequestsGoAfterADayDecidedOnesAnHourAfterTheDecision() {
        assertEquals(CREATED.plus(Duration.ofHours(24)), CsrCleaner.deadline(csr()));
        assertEquals(CREATED.plusSeconds(60).plus(Duration.ofHours(1)), CsrCleaner.deadline(csr("Approved")));
        assertEquals(CREATED.plusSeconds(60).plus(Duration.ofHours(1)), CsrCleaner.deadline(csr("Denied")));
        assertEquals(CREATED.plusSeconds(60).plus(Duration.ofHours(1)), CsrCleaner.deadline(csr("Approved", "Failed")));
    }

    @Test
    void anIssuedCertificateThatExpiredSoonerIsTheDeadline() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("kubundle-ca", Duration.ofDays(1));
        ObjectNode csr = csr("Approved");
        csr.with("status").put("certificate", Base64.getEncoder().encodeToString(
                Pem.certificates(List.of(ca.certificate())).getBytes(StandardCharsets.UTF_8)));
        assertEquals(CREATED.plusSeconds(60).plus(Duration.ofHours(1)), CsrCleaner.deadline(csr), "the decision's hour comes first");
        csr.with("metadata").put("creationTimestamp", Instant.now().toString());
        ((ObjectNode) csr.at("/status/conditions/0")).put("lastUpdateTime", Instant.now().plus(Duration.ofDays(3)).toString());
        assertEquals(ca.certificate().getNotAfter().toInstant(), CsrCleaner.deadline(csr), "the certificate's expiry comes first");
    }
}
