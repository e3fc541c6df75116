package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

import io.kubundle.api.auth.AuthenticationException;
import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.IssuedCertificate;
import io.kubundle.api.auth.UserInfo;

final class X509AuthenticatorTest {
    private final CertificateAuthority ca = create("kubundle-ca");
    private final X509Authenticator authenticator = new X509Authenticator(ca.certificate());

    @Test
    void theCommonNameIsTheUserAndEachOrganizationAGroup() throws Exception {
        IssuedCertificate client = ca.issueClient("jane", List.of("dev", "system:masters"), Duration.ofDays(1));
        assertEquals(Optional.of(new UserInfo("jane", "", List.of("dev", "system:masters", UserInfo.ALL_AUTHENTICATED),
                Map.of())), authenticator.authenticate(credentials(client.certificateChain())));
    }

    @Test
    void acceptsAChainThatEndsInTheCa() throws Exception {
        IssuedCertificate client = ca.issueClient("system:node:worker-1", List.of("system:nodes"), Duration.ofDays(1));
        UserInfo user = authenticator.authenticate(credentials(List.of(client.certificate(), ca.certificate()))).orElseThrow();
        assertEquals("system:node:worker-1", user.name());
    }

    @Test
    void leavesRequestsWithoutCertificateToOthers() throws Exception {
        assertEquals(Optional.empty(), authenticator.authenticate(new Credentials(List.of(), "Bearer abc")));
    }

    @Test
    void refusesACertificateOfAnotherCa() {
        IssuedCertificate foreign = create("kubundle-ca").issueClient("mallory", List.of("system:masters"), Duration.ofDays(1));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> authenticator.authenticate(credentials(foreign.certificateChain())));
        assertTrue(e.getMessage().contains("CN=mallory"), e.getMessage());
    }

    @Test
    void refusesAnExpiredCertificate() throws Exception {
        Instant now = Instant.now();
        X509Certificate expired = signedByCa("CN=old", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
        assertThrows(AuthenticationException.class, () -> authenticator.authenticate(credentials(List.of(expired))));
    }

    @Test
    void refusesAServingCertificate() {
        IssuedCertificate server = ca.issueServer("kube-apiserver", SubjectAltNames.parse(List.of("localhost")),
                Duration.ofDays(1));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> authenticator.authenticate(credentials(server.certificateChain())));
        assertTrue(e.getMessage().contains("not for client authentication"), e.getMessage());
    }

    @Test
    void refusesTheCaCertificateItselfAndACertificateWithoutCommonName() throws Exception {
        assertThrows(AuthenticationException.class, () -> authenticator.authenticate(credentials(List.of(ca.certificate()))));
        Instant now = Instant.now();
        X509Certificate nameless = signedByCa("O=system:masters", now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofDays(1)));
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> authenticator.authenticate(credentials(List.of(nameless))));
        assertTrue(e.getMessage().contains("no common name"), e.getMessage());
    }

    private X509Certificate signedByCa(String subject, Instant notBefore, Instant notAfter) throws Exception {
        KeyPair pair = CertificateAuthority.newKeyPair();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(ca.certificate(),
                BigInteger.TWO, Date.from(notBefore), Date.from(notAfter), new X500Name(subject), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.key())));
    }

    private static Credentials credentials(List<X509Certificate> chain) {
        return new Credentials(chain, null);
    }

    private static CertificateAuthority create(String commonName) {
        try {
            return CertificateAuthority.create(commonName, Duration.ofDays(365));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
