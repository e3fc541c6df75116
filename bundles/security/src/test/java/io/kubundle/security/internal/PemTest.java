package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.auth.IssuedCertificate;

final class PemTest {
    @TempDir
    Path dir;

    @Test
    void ecKeysAreSec1WithTheirCurveAndPublicKey() throws Exception {
        IssuedCertificate issued = CertificateAuthority.create("test-ca", Duration.ofDays(1))
                .issueClient("jane", List.of(), Duration.ofHours(1));
        PemObject pem = read(issued.privateKeyPem());
        assertEquals("EC PRIVATE KEY", pem.getType());
        ECPrivateKey sec1 = ECPrivateKey.getInstance(pem.getContent());
        // Go's x509.ParseECPrivateKey needs the curve in the key itself
        assertEquals(SECObjectIdentifiers.secp256r1, sec1.getParametersObject());
        assertEquals(((java.security.interfaces.ECPrivateKey) issued.privateKey()).getS(), sec1.getKey());
        assertNotNull(sec1.getPublicKey());
        assertRoundTrip(issued.privateKeyPem(), issued.certificate().getPublicKey());
    }

    @Test
    void rsaKeysArePkcs1() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String pem = Pem.privateKey(pair.getPrivate(), pair.getPublic());
        assertEquals("RSA PRIVATE KEY", read(pem).getType());
        assertRoundTrip(pem, pair.getPublic());
    }

    @Test
    void otherKeysArePkcs8() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String pem = Pem.privateKey(pair.getPrivate(), pair.getPublic());
        assertEquals("PRIVATE KEY", read(pem).getType());
        assertEquals(Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()),
                Base64.getEncoder().encodeToString(read(pem).getContent()));
    }

    @Test
    void certificatesRoundTripInOrder() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Duration.ofDays(1));
        IssuedCertificate issued = ca.issueClient("jane", List.of(), Duration.ofHours(1));
        Path file = dir.resolve("chain.crt");
        Files.writeString(file, Pem.certificates(List.of(issued.certificate(), ca.certificate())));
        assertEquals(List.of(issued.certificate(), ca.certificate()), Pem.readCertificates(file));
        assertTrue(issued.certificatePem().matches("(?s)-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n"));
    }

    /** Read back and written again, the key comes out the same. */
    private void assertRoundTrip(String pem, PublicKey publicKey) throws Exception {
        Path file = dir.resolve("key.pem");
        Files.writeString(file, pem);
        assertEquals(pem, Pem.privateKey(Pem.readPrivateKey(file), publicKey));
    }

    private static PemObject read(String pem) throws Exception {
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            return reader.readPemObject();
        }
    }
}
