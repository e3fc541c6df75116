package io.kubundle.security.internal;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.PatchType;

/**
 * Kubernetes' csrsigning controller for the signers {@link SignerRules#SIGNERS}: an approved,
 * not denied, not failed request without a certificate gets one from the cluster CA, with the
 * requested subject, subject alternative names and usages, valid for {@code expirationSeconds}
 * (at most {@code maxValidity}, at least ten minutes, never beyond the CA); a request its signer
 * refuses gets a {@code Failed} condition instead. Requests of other signers are left alone.
 */
final class CsrSigner implements CsrController.Step {
    static final Duration MIN_VALIDITY = Duration.ofMinutes(10);
    private static final System.Logger LOG = System.getLogger(CsrSigner.class.getName());
    private static final Map<String, Integer> KEY_USAGES = Map.of("digital signature", KeyUsage.digitalSignature,
            "content commitment", KeyUsage.nonRepudiation, "key encipherment", KeyUsage.keyEncipherment,
            "key agreement", KeyUsage.keyAgreement, "data encipherment", KeyUsage.dataEncipherment,
            "cert sign", KeyUsage.keyCertSign, "crl sign", KeyUsage.cRLSign, "encipher only", KeyUsage.encipherOnly,
            "decipher only", KeyUsage.decipherOnly);
    private static final Map<String, KeyPurposeId> PURPOSES = Map.of("any", KeyPurposeId.anyExtendedKeyUsage,
            "server auth", KeyPurposeId.id_kp_serverAuth, "client auth", KeyPurposeId.id_kp_clientAuth,
            "code signing", KeyPurposeId.id_kp_codeSigning, "email protection", KeyPurposeId.id_kp_emailProtection,
            "s/mime", KeyPurposeId.id_kp_emailProtection, "timestamping", KeyPurposeId.id_kp_timeStamping,
            "ocsp signing", KeyPurposeId.id_kp_OCSPSigning);

    private final CertificateAuthority ca;
    private final Duration maxValidity;

    CsrSigner(CertificateAuthority ca, Duration maxValidity) {
        this.ca = ca;
        this.maxValidity = maxValidity;
    }

    @Override
    public Duration handle(ObjectNode csr, KubeClient client) throws Exception {
        if (!SignerRules.SIGNERS.contains(csr.path("spec").path("signerName").asText())
                || !SigningRequest.hasCondition(csr, SigningRequest.TYPE_APPROVED)
                || SigningRequest.hasCondition(csr, SigningRequest.TYPE_DENIED)
                || SigningRequest.hasCondition(csr, SigningRequest.TYPE_FAILED)
                || !csr.path("status").path("certificate").asText("").isEmpty()) {
            return Duration.ZERO;
        }
        ObjectNode patch = client.json().createObjectNode();
        patch.putObject("metadata").put("resourceVersion", csr.path("metadata").path("resourceVersion").asText());
        String name = csr.path("metadata").path("name").asText();
        try {
            SigningRequest request = SigningRequest.of(csr);
            var problem = SignerRules.signingProblem(request);
            if (problem.isPresent()) {
                LOG.log(System.Logger.Level.INFO, "not signing {0}: {1}", name, problem.get());
                CsrController.withCondition(csr, patch, SigningRequest.TYPE_FAILED, "SignerValidationFailure", problem.get());
            } else {
                patch.putObject("status").put("certificate", java.util.Base64.getEncoder().encodeToString(
                        Pem.certificates(List.of(sign(request))).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                LOG.log(System.Logger.Level.INFO, "signed {0} for {1} ({2})", name, request.commonName(), request.signerName());
            }
        } catch (IllegalArgumentException e) {
            CsrController.withCondition(csr, patch, SigningRequest.TYPE_FAILED, "SignerValidationFailure", e.getMessage());
        }
        client.resources(CsrController.CSRS).patch(null, name, PatchType.MERGE, patch, "status");
        return Duration.ZERO;
    }

    /** The certificate for the request, as its signer makes it. */
    X509Certificate sign(SigningRequest request) throws GeneralSecurityException {
        int keyUsage = 0;
        List<KeyPurposeId> purposes = new ArrayList<>();
        for (String usage : request.usages()) {
            if (KEY_USAGES.containsKey(usage)) {
                keyUsage |= KEY_USAGES.get(usage);
            } else if (PURPOSES.containsKey(usage)) {
                purposes.add(PURPOSES.get(usage));
            }
        }
        return ca.sign(request.subject(), request.request().getSubjectPublicKeyInfo(), SigningRequest.subjectAltNames(request.request()),
                keyUsage == 0 ? null : new KeyUsage(keyUsage), purposes.isEmpty() ? null : new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)),
                validity(request));
    }

    /** {@code expirationSeconds} within [10 minutes, maxValidity], or maxValidity when absent. */
    Duration validity(SigningRequest request) {
        if (request.expirationSeconds() == null) {
            return maxValidity;
        }
        Duration asked = Duration.ofSeconds(request.expirationSeconds());
        return asked.compareTo(maxValidity) > 0 ? maxValidity : asked.compareTo(MIN_VALIDITY) < 0 ? MIN_VALIDITY : asked;
    }
}
