package io.kubundle.security.internal;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A {@code certificates.k8s.io/v1 CertificateSigningRequest} as the approver and the signer read
 * it: who asked (spec.username, spec.groups), for which signer and usages, and the PKCS#10
 * request's subject and subject alternative names, as Go's {@code x509.CertificateRequest} gives
 * them. The API server has checked the request's signature on create, and the spec cannot change.
 *
 * @param organizations the subject's O values, in order
 * @param otherNames the count of names of kinds no Kubernetes signer accepts here (e-mail, URI, ...)
 */
record SigningRequest(String name, String signerName, String username, List<String> groups, Set<String> usages,
        Integer expirationSeconds, PKCS10CertificationRequest request, String commonName, List<String> organizations,
        List<String> dnsNames, List<String> ipAddresses, int otherNames) {

    static final String TYPE_APPROVED = "Approved";
    static final String TYPE_DENIED = "Denied";
    static final String TYPE_FAILED = "Failed";

    /**
     * Reads a CSR object.
     *
     * @throws IllegalArgumentException if its request is not a PEM certificate request
     */
    static SigningRequest of(JsonNode csr) {
        JsonNode spec = csr.path("spec");
        PKCS10CertificationRequest request = parseRequest(spec.path("request").asText(""));
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(group -> groups.add(group.asText()));
        Set<String> usages = new LinkedHashSet<>();
        spec.path("usages").forEach(usage -> usages.add(usage.asText()));
        Integer expiration = spec.path("expirationSeconds").canConvertToInt() ? spec.path("expirationSeconds").asInt() : null;
        String commonName = "";
        List<String> organizations = new ArrayList<>();
        for (RDN rdn : request.getSubject().getRDNs()) {
            for (AttributeTypeAndValue attribute : rdn.getTypesAndValues()) {
                if (attribute.getType().equals(BCStyle.CN) && commonName.isEmpty()) {
                    commonName = text(attribute.getValue());
                } else if (attribute.getType().equals(BCStyle.O)) {
                    organizations.add(text(attribute.getValue()));
                }
            }
        }
        List<String> dnsNames = new ArrayList<>();
        List<String> ipAddresses = new ArrayList<>();
        int others = 0;
        GeneralNames names = subjectAltNames(request);
        if (names != null) {
            for (GeneralName name : names.getNames()) {
                switch (name.getTagNo()) {
                    case GeneralName.dNSName -> dnsNames.add(text(name.getName()));
                    case GeneralName.iPAddress -> ipAddresses.add(address(name));
                    default -> others++;
                }
            }
        }
        return new SigningRequest(csr.path("metadata").path("name").asText(), spec.path("signerName").asText(""),
                spec.path("username").asText(""), List.copyOf(groups), Set.copyOf(usages), expiration, request, commonName,
                List.copyOf(organizations), List.copyOf(dnsNames), List.copyOf(ipAddresses), others);
    }

    /** {@code spec.request}: base64 of PEM, as a {@code []byte} field is in JSON. */
    static PKCS10CertificationRequest parseRequest(String base64) {
        try (PemReader reader = new PemReader(new StringReader(new String(Base64.getDecoder().decode(base64),
                StandardCharsets.UTF_8)))) {
            PemObject block = reader.readPemObject();
            if (block == null || !block.getType().equals("CERTIFICATE REQUEST")) {
                throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST");
            }
            return new PKCS10CertificationRequest(block.getContent());
        } catch (IOException | RuntimeException e) {
            throw e instanceof IllegalArgumentException iae ? iae
                    : new IllegalArgumentException("not a certificate request: " + e.getMessage(), e);
        }
    }

    /** The subjectAltName of the request's extensionRequest attribute, or null. */
    static GeneralNames subjectAltNames(PKCS10CertificationRequest request) {
        for (Attribute attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttributeValues()) {
                Extensions extensions = Extensions.getInstance(value);
                GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
                if (names != null) {
                    return names;
                }
            }
        }
        return null;
    }

    X500Name subject() {
        return request.getSubject();
    }

    /** Whether the CSR object has a condition of this type. */
    static boolean hasCondition(JsonNode csr, String type) {
        for (JsonNode condition : csr.path("status").path("conditions")) {
            if (condition.path("type").asText().equals(type)) {
                return true;
            }
        }
        return false;
    }

    private static String text(ASN1Encodable value) {
        return value instanceof ASN1String string ? string.getString() : IETFUtils.valueToString(value);
    }

    private static String address(GeneralName name) {
        try {
            return InetAddress.getByAddress(ASN1OctetString.getInstance(name.getName()).getOctets()).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address SAN of a bad length", e);
        }
    }
}
