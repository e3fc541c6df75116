package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.Test;

import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.UserInfo;

/** Certificates the signer makes: what they say, and that the cluster's authenticator and kubelet client accept them. */
final class CsrSignerTest {
    private final CertificateAuthority ca = CertificateAuthority.create("kubundle-ca", Duration.ofDays(3650));
    private final CsrSigner signer = new CsrSigner(ca, Duration.ofDays(365));
    private final KeyPair key;

    CsrSignerTest() throws Exception {
        key = CertificateAuthority.newKeyPair();
    }

    private SigningRequest request(String subject, GeneralNames names, String signerName, List<String> usages, Integer seconds)
            throws Exception {
        var csr = CertificateRequests.csr(key, subject, names, signerName, usages, "system:bootstrap:abcdef",
                List.of("system:bootstrappers"));
        if (seconds != null) {
            csr.with("spec").put("expirationSeconds", seconds);
        }
        return SigningRequest.of(csr);
    }

    @Test
    void aNodeClientCertificateAuthenticatesAsTheNode() throws Exception {
        SigningRequest request = request("CN=system:node:n1,O=system:nodes", null, SignerRules.KUBELET_CLIENT,
                List.of("digital signature", "key encipherment", "client auth"), null);
        X509Certificate certificate = signer.sign(request);
        assertEquals(key.getPublic(), certificate.getPublicKey(), "the requester's key, which never left it");
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), certificate.getExtendedKeyUsage());
        assertTrue(certificate.getKeyUsage()[0] && certificate.getKeyUsage()[2], "digital signature and key encipherment");
        assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
        long days = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()).toDays();
        assertEquals(365, days, "the default validity, one year");
        UserInfo user = new X509Authenticator(ca.certificate()).authenticate(new Credentials(List.of(certificate), null)).orElseThrow();
        assertEquals(new UserInfo("system:node:n1", "", List.of("system:nodes", UserInfo.ALL_AUTHENTICATED), Map.of()), user);
    }

    @Test
    void aServingCertificateCarriesTheRequestedNamesAndVerifiesForServerAuth() throws Exception {
        GeneralNames names = new GeneralNames(new GeneralName[] { new GeneralName(GeneralName.dNSName, "n1"),
            new GeneralName(GeneralName.iPAddress, "10.0.0.5") });
        SigningRequest request = request("CN=system:node:n1,O=system:nodes", names, SignerRules.KUBELET_SERVING,
                List.of("digital signature", "server auth"), 3600);
        X509Certificate certificate = signer.sign(request);
        assertEquals(SubjectAltNames.of(List.of("n1"), List.of("10.0.0.5")), SubjectAltNames.of(certificate));
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), certificate.getExtendedKeyUsage());
        assertEquals(request.subject(), org.bouncycastle.asn1.x500.X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                "the requested subject, as it was");
        long minutes = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()).toMinutes();
        assertEquals(60 + 5, minutes, "expirationSeconds, plus the 5 minutes it is backdated");
        // as the API server's kubelet client checks it: a PKIX path to the cluster CA
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                .generateCertPath(List.of(certificate)), parameters);
    }

    @Test
    void validityIsExpirationSecondsWithinBounds() throws Exception {
        List<String> usages = List.of("client auth");
        assertEquals(Duration.ofDays(365), signer.validity(request("CN=a", null, SignerRules.KUBE_APISERVER_CLIENT, usages, null)));
        assertEquals(Duration.ofDays(365), signer.validity(request("CN=a", null, SignerRules.KUBE_APISERVER_CLIENT, usages,
                3650 * 86400)));
        assertEquals(Duration.ofHours(2), signer.validity(request("CN=a", null, SignerRules.KUBE_APISERVER_CLIENT, usages, 7200)));
        assertEquals(Optional.empty(), SignerRules.signingProblem(request("CN=a", null, SignerRules.KUBE_APISERVER_CLIENT, usages,
                null)));
        X509Certificate onlyClientAuth = signer.sign(request("CN=a", null, SignerRules.KUBE_APISERVER_CLIENT, usages, null));
        assertEquals(null, onlyClientAuth.getKeyUsage(), "no key usage asked for, no key usage extension: TLS would refuse an empty one");
    }
}
