package io.kubundle.security.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.kubundle.api.auth.IssuedCertificate;

/**
 * A CA key and certificate, and the certificates it issues. New keys are ECDSA P-256: quick to
 * generate and accepted by Go (kubectl, kubelet) and Java clients alike. The JDK's providers do
 * the cryptography; BouncyCastle only builds the certificates, so no provider is registered
 * globally.
 */
final class CertificateAuthority {
    /** Against clocks a little behind ours, as kubeadm does. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey key;
    private final X509Certificate certificate;

    /** @throws GeneralSecurityException if the certificate is not a CA's or not the key's */
    CertificateAuthority(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        if (certificate.getBasicConstraints() < 0) {
            throw new GeneralSecurityException(certificate.getSubjectX500Principal() + " is not a CA certificate");
        }
        if (!keyMatches(key, certificate.getPublicKey())) {
            throw new GeneralSecurityException("the CA key does not belong to the CA certificate "
                    + certificate.getSubjectX500Principal());
        }
        this.key = key;
        this.certificate = certificate;
    }

    /** A new self-signed CA. */
    static CertificateAuthority create(String commonName, Duration validity) throws GeneralSecurityException {
        KeyPair pair = newKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        Instant now = Instant.now();
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serialNumber(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(pair.getPrivate(), sign(builder, pair.getPrivate()));
        } catch (CertIOException e) {
            throw new GeneralSecurityException("cannot build the CA certificate", e);
        }
    }

    PrivateKey key() {
        return key;
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** A client certificate: the common name is the user, each organization a group. */
    IssuedCertificate issueClient(String commonName, List<String> organizations, Duration validity) {
        if (commonName == null || commonName.isBlank()) {
            throw new IllegalArgumentException("a client certificate needs a common name");
        }
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        for (String organization : organizations) {
            subject.addRDN(BCStyle.O, organization);
        }
        subject.addRDN(BCStyle.CN, commonName);
        return issue(subject.build(), KeyPurposeId.id_kp_clientAuth, null, validity);
    }

    /** A TLS serving certificate for the given names, which must not be empty. */
    IssuedCertificate issueServer(String commonName, SubjectAltNames names, Duration validity) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one host name or IP address");
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        return issue(subject, KeyPurposeId.id_kp_serverAuth, names, validity);
    }

    /** Why a certificate and key must be replaced, or empty if they are ours and good until {@code renewBefore} from now. */
    Optional<String> staleness(IssuedCertificate issued, Duration renewBefore) {
        X509Certificate leaf = issued.certificate();
        try {
            if (!leaf.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())) {
                return Optional.of("it was not issued by this CA");
            }
            leaf.verify(certificate.getPublicKey());
            if (!keyMatches(issued.privateKey(), leaf.getPublicKey())) {
                return Optional.of("its key does not match it");
            }
        } catch (GeneralSecurityException e) {
            return Optional.of("it does not verify against this CA: " + e.getMessage());
        }
        Instant now = Instant.now();
        if (leaf.getNotBefore().toInstant().isAfter(now)) {
            return Optional.of("it is not valid before " + leaf.getNotBefore().toInstant());
        }
        if (leaf.getNotAfter().toInstant().isBefore(now.plus(renewBefore))) {
            return Optional.of("it expires on " + leaf.getNotAfter().toInstant());
        }
        return Optional.empty();
    }

    private IssuedCertificate issue(X500Name subject, KeyPurposeId purpose, SubjectAltNames names, Duration validity) {
        try {
            KeyPair pair = newKeyPair();
            X509Certificate issued = sign(subject, SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()),
                    names == null ? null : generalNames(names), new KeyUsage(KeyUsage.digitalSignature),
                    new ExtendedKeyUsage(purpose), validity);
            return new Issued(pair.getPrivate(), List.of(issued));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject, e);
        }
    }

    /**
     * A certificate for someone else's key (a certificate signing request's): the subject, names
     * and usages as given, valid from a little before now for {@code validity}, but never beyond
     * the CA's own expiry.
     *
     * @param names the subject alternative names, or null for none
     * @param usage the key usages, or null for no key usage extension (as Go leaves it out when none is asked for)
     * @param extendedUsage the extended key usages, or null for none
     * @throws IllegalArgumentException if the validity is not positive
     * @throws IllegalStateException if the CA has expired
     */
    X509Certificate sign(X500Name subject, SubjectPublicKeyInfo publicKey, GeneralNames names, KeyUsage usage,
            ExtendedKeyUsage extendedUsage, Duration validity) throws GeneralSecurityException {
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("the validity must be positive, not " + validity);
        }
        Instant now = Instant.now();
        Instant notAfter = now.plus(validity);
        // a certificate cannot outlive the CA that vouches for it
        Instant caNotAfter = certificate.getNotAfter().toInstant();
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter;
        }
        if (!notAfter.isAfter(now)) {
            throw new IllegalStateException("the CA " + certificate.getSubjectX500Principal() + " has expired");
        }
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serialNumber(),
                    Date.from(now.minus(BACKDATE)), Date.from(notAfter), subject, publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(certificate));
            if (usage != null) {
                builder.addExtension(Extension.keyUsage, true, usage);
            }
            if (extendedUsage != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, extendedUsage);
            }
            if (names != null && names.getNames().length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, names);
            }
            return sign(builder, key);
        } catch (CertIOException e) {
            throw new GeneralSecurityException("cannot build a certificate for " + subject, e);
        }
    }

    private static GeneralNames generalNames(SubjectAltNames names) throws IOException {
        GeneralName[] all = new GeneralName[names.dnsNames().size() + names.ipAddresses().size()];
        int i = 0;
        for (String name : names.dnsNames()) {
            all[i++] = new GeneralName(GeneralName.dNSName, name);
        }
        for (String address : names.ipAddresses()) {
            // already checked to be a literal: parsed, never looked up
            byte[] octets = InetAddress.getByName(address).getAddress();
            all[i++] = new GeneralName(GeneralName.iPAddress, new DEROctetString(octets));
        }
        return new GeneralNames(all);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with a " + signer.getAlgorithm() + " key", e);
        }
    }

    static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    /** Positive, at most 20 octets, with enough randomness that no two collide (RFC 5280 4.1.2.2). */
    private static BigInteger serialNumber() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    /** The algorithm a key signs certificates with: EC for ours, RSA or Ed25519 for a CA an admin brings. */
    private static String signatureAlgorithm(PrivateKey key) throws GeneralSecurityException {
        return switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "ED25519", "EDDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + key.getAlgorithm());
        };
    }

    /** Whether the private key belongs to the public one: it signs something the public key verifies. */
    static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) throws GeneralSecurityException {
        byte[] probe = new byte[32];
        RANDOM.nextBytes(probe);
        String algorithm = signatureAlgorithm(privateKey);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(privateKey);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        try {
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // a public key of another algorithm cannot verify it
            return false;
        }
    }
}
