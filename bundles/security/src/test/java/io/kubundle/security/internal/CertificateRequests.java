package io.kubundle.security.internal;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** CertificateSigningRequest objects for tests, with real PKCS#10 requests, as the API server stores them. */
final class CertificateRequests {
    private CertificateRequests() {
    }

    /** A CSR object by {@code username} in {@code groups} for {@code subject} with these names (null: none). */
    static ObjectNode csr(KeyPair key, String subject, GeneralNames names, String signer, List<String> usages, String username,
            List<String> groups) throws Exception {
        JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), key.getPublic());
        if (names != null) {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, names);
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
        }
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        }
        ObjectNode csr = JsonNodeFactory.instance.objectNode();
        csr.put("apiVersion", "certificates.k8s.io/v1").put("kind", "CertificateSigningRequest");
        csr.putObject("metadata").put("name", "csr-1").put("resourceVersion", "7");
        ObjectNode spec = csr.putObject("spec");
        spec.put("request", Base64.getEncoder().encodeToString(pem.toString().getBytes(StandardCharsets.UTF_8)));
        spec.put("signerName", signer).put("username", username);
        usages.forEach(spec.putArray("usages")::add);
        groups.forEach(spec.putArray("groups")::add);
        return csr;
    }
}
