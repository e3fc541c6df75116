package io.kubundle.client.kube.https;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class PemFilesTest {
    /** As OpenSSL and client-go write keys: SEC 1 for EC, PKCS#1 for RSA (BouncyCastle's "traditional" PEM). */
    static String traditionalPem(Object key) throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(key);
        }
        return text.toString();
    }

    static String selfSigned(KeyPair keys) throws Exception {
        Date now = new Date();
        X500Name name = new X500Name("CN=test");
        var certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE, now,
                new Date(now.getTime() + 3_600_000L), name, keys.getPublic())
                .build(new JcaContentSignerBuilder(keys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                        .build(keys.getPrivate())));
        return traditionalPem(certificate);
    }

    @Test
    void readsSec1EcKeysWithTheirCurve() throws Exception {
        for (String curve : new String[] {"secp256r1", "secp384r1"}) {
            // BouncyCastle's keys carry their curve inside the SEC 1 structure, as OpenSSL's do
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
            generator.initialize(new ECGenParameterSpec(curve));
            KeyPair keys = generator.generateKeyPair();
            String pem = traditionalPem(keys);
            assertEquals(true, pem.contains("BEGIN EC PRIVATE KEY"), "the SEC 1 form is what is tested");
            ECPrivateKey read = (ECPrivateKey) PemFiles.privateKey(pem);
            assertEquals(((ECPrivateKey) keys.getPrivate()).getS(), read.getS());
            assertEquals(((ECPrivateKey) keys.getPrivate()).getParams().getOrder(), read.getParams().getOrder(), curve);
        }
    }

    static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        try {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } catch (java.security.InvalidAlgorithmParameterException e) {
            throw new GeneralSecurityException(e);
        }
        return generator.generateKeyPair();
    }

    @Test
    void refusesSec1KeysWithoutACurve() throws Exception {
        // the JDK's own encoding leaves the curve out of the inner structure
        KeyPair keys = KeyPairGenerator.getInstance("EC").generateKeyPair();
        GeneralSecurityException noCurve = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(traditionalPem(keys)));
        assertEquals("the EC private key does not name its curve", noCurve.getMessage());
    }

    @Test
    void readsPkcs1RsaKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        String pem = traditionalPem(keys);
        assertEquals(true, pem.contains("BEGIN RSA PRIVATE KEY"));
        RSAPrivateCrtKey read = (RSAPrivateCrtKey) PemFiles.privateKey(pem);
        assertEquals(((RSAPrivateCrtKey) keys.getPrivate()).getPrivateExponent(), read.getPrivateExponent());
    }

    @Test
    void readsPkcs8Keys() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("EC").generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        assertArrayEquals(keys.getPrivate().getEncoded(), PemFiles.privateKey(pem).getEncoded());
    }

    @Test
    void readsCertificatesAndRefusesWhatIsNoKey() throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance("EC").generateKeyPair();
        String certificate = selfSigned(keys);
        assertEquals("CN=test", PemFiles.certificates(certificate).get(0).getSubjectX500Principal().getName());
        GeneralSecurityException noKey = assertThrows(GeneralSecurityException.class, () -> PemFiles.privateKey(certificate));
        assertEquals(true, noKey.getMessage().contains("no private key"));
        assertThrows(GeneralSecurityException.class, () -> PemFiles.certificates("nothing here"));
    }
}
