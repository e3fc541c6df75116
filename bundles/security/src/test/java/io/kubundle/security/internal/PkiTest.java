package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.auth.IssuedCertificate;

final class PkiTest {
    private static final SubjectAltNames NAMES = SubjectAltNames.of(List.of("localhost", "kubernetes"),
            List.of("127.0.0.1", "::1"));

    @TempDir
    Path dir;

    @Test
    void createsTheCaOnceAndReloadsIt() throws Exception {
        Pki first = Pki.open(dir, NAMES);
        X509Certificate ca = first.ca().certificate();
        assertEquals("CN=kubundle-ca", ca.getSubjectX500Principal().getName());
        assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
        assertTrue(ca.getBasicConstraints() >= 0);
        long days = Duration.between(Instant.now(), ca.getNotAfter().toInstant()).toDays();
        assertTrue(days >= 3649 && days <= 3650, "CA valid for " + days + " days");
        assertEquals("EC", ca.getPublicKey().getAlgorithm());

        Pki second = Pki.open(dir, NAMES);
        assertEquals(ca, second.ca().certificate());
        assertEquals(Pem.privateKey(first.ca().key(), ca.getPublicKey()), Pem.privateKey(second.ca().key(), ca.getPublicKey()));
        // nothing changed, so nothing is issued again
        assertSameIssued(first.apiServer(), second.apiServer());
        assertSameIssued(first.admin(), second.admin());
    }

    @Test
    void theServerCertificateCarriesTheNamesAndChainsToTheCa() throws Exception {
        Pki pki = Pki.open(dir, NAMES);
        X509Certificate server = pki.apiServer().certificate();
        assertEquals(NAMES, SubjectAltNames.of(server));
        assertEquals("CN=kube-apiserver", server.getSubjectX500Principal().getName());
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), server.getExtendedKeyUsage());
        assertEquals(-1, server.getBasicConstraints());

        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(pki.apiServer().certificateChain());
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(pki.ca().certificate(), null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(path, parameters);
        assertTrue(CertificateAuthority.keyMatches(pki.apiServer().privateKey(), server.getPublicKey()));
    }

    @Test
    void theAdminCertificateIsForSystemMasters() throws Exception {
        X509Certificate admin = Pki.open(dir, NAMES).admin().certificate();
        assertEquals("CN=kubernetes-admin,O=system:masters", admin.getSubjectX500Principal().getName());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), admin.getExtendedKeyUsage());
    }

    @Test
    void issuesTheServerCertificateAgainWhenTheNamesChange() throws Exception {
        Pki first = Pki.open(dir, NAMES);
        SubjectAltNames more = NAMES.plus(SubjectAltNames.parse(List.of("api.example.com", "192.168.1.10")));

        Pki second = Pki.open(dir, more);
        assertNotEquals(first.apiServer().certificate().getSerialNumber(), second.apiServer().certificate().getSerialNumber());
        assertEquals(more, SubjectAltNames.of(second.apiServer().certificate()));
        assertEquals(first.ca().certificate(), second.ca().certificate());
        assertSameIssued(first.admin(), second.admin());
        assertSameIssued(second.apiServer(), Pki.open(dir, more).apiServer());
    }

    @Test
    void issuesACertificateAgainWithin30DaysOfExpiry() throws Exception {
        Pki first = Pki.open(dir, NAMES);
        IssuedCertificate expiring = first.ca().issueServer("kube-apiserver", NAMES, Duration.ofDays(10));
        Pem.write(expiring, dir.resolve("apiserver.crt"), dir.resolve("apiserver.key"));

        X509Certificate renewed = Pki.open(dir, NAMES).apiServer().certificate();
        assertNotEquals(expiring.certificate(), renewed);
        assertTrue(renewed.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(364))));
    }

    @Test
    void issuesCertificatesAgainForANewCa() throws Exception {
        Pki first = Pki.open(dir, NAMES);
        Files.delete(dir.resolve("ca.crt"));
        Files.delete(dir.resolve("ca.key"));

        Pki second = Pki.open(dir, NAMES);
        assertNotEquals(first.ca().certificate(), second.ca().certificate());
        second.apiServer().certificate().verify(second.ca().certificate().getPublicKey());
        second.admin().certificate().verify(second.ca().certificate().getPublicKey());
    }

    @Test
    void issuesACertificateAgainWhenItsFileIsBroken() throws Exception {
        Pki first = Pki.open(dir, NAMES);
        Files.writeString(dir.resolve("admin.key"), "not a key");

        Pki second = Pki.open(dir, NAMES);
        assertNotEquals(first.admin().certificate(), second.admin().certificate());
        assertTrue(CertificateAuthority.keyMatches(second.admin().privateKey(), second.admin().certificate().getPublicKey()));
    }

    @Test
    void refusesHalfACa() throws Exception {
        Pki.open(dir, NAMES);
        Files.delete(dir.resolve("ca.key"));
        IOException e = assertThrows(IOException.class, () -> Pki.open(dir, NAMES));
        assertTrue(e.getMessage().contains("ca.key"), e.getMessage());
    }

    @Test
    void keysAreReadableByTheOwnerOnlyAndNoTemporaryFileRemains() throws Exception {
        Pki.open(dir, NAMES);
        for (String key : List.of("ca.key", "apiserver.key", "admin.key")) {
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(dir.resolve(key)), key);
        }
        for (String certificate : List.of("ca.crt", "apiserver.crt", "admin.crt")) {
            assertEquals(PosixFilePermissions.fromString("rw-r--r--"), Files.getPosixFilePermissions(dir.resolve(certificate)));
        }
        try (var files = Files.list(dir)) {
            assertEquals(6, files.count());
        }
    }

    @Test
    void thePkiDirectoryIsPrivate(@TempDir Path dataDir) throws Exception {
        Path pki = dataDir.resolve("pki");
        Pki.open(pki, NAMES);
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(pki));
    }

    @Test
    void takesAnRsaCaInKubeadmsPkcs1Form() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        X500Name name = new X500Name("CN=kubernetes");
        Instant now = Instant.now();
        X509Certificate ca = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.ONE, Date.from(now), Date.from(now.plus(Duration.ofDays(60))), name, pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        writePem(dir.resolve("ca.crt"), ca);
        writePem(dir.resolve("ca.key"), pair.getPrivate());
        assertTrue(Files.readString(dir.resolve("ca.key")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));

        Pki pki = Pki.open(dir, NAMES);
        assertEquals(ca, pki.ca().certificate());
        X509Certificate server = pki.apiServer().certificate();
        server.verify(ca.getPublicKey());
        assertEquals("SHA256withRSA", server.getSigAlgName());
        // nothing the CA issues may outlive it
        assertEquals(ca.getNotAfter(), server.getNotAfter());
    }

    /** The same certificates and key; keys read back compare unequal to generated ones, their encodings equal. */
    private static void assertSameIssued(IssuedCertificate expected, IssuedCertificate actual) {
        assertEquals(expected.certificateChain(), actual.certificateChain());
        assertEquals(expected.privateKeyPem(), actual.privateKeyPem());
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file))) {
            writer.writeObject(object);
        }
    }
}
