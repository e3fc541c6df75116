package io.kubundle.apiserver.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.meta.LabelSyntax;
import io.kubundle.api.auth.UserInfo;

/**
 * The API strategy of {@code certificates.k8s.io/v1 CertificateSigningRequest}, as Kubernetes'
 * {@code pkg/registry/certificates} and {@code pkg/apis/certificates/validation} have it: the
 * requester is the authenticated user whatever the client wrote; the spec never changes after
 * create; the {@code approval} subresource writes only the conditions, the {@code status}
 * subresource only the rest of the status; Approved, Denied and Failed conditions cannot be
 * removed, Approved and Denied exclude each other, and an issued certificate cannot be replaced.
 */
final class CertificateSigningRequests {
    static final String KIND = "CertificateSigningRequest";
    static final String APPROVED = "Approved";
    static final String DENIED = "Denied";
    static final String FAILED = "Failed";
    /** The signer Kubernetes' CertificateSubjectRestriction admission guards: no system:masters through it. */
    static final String KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
    static final String LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown";

    /** Kubernetes' certificates.KeyUsage values. */
    static final Set<String> USAGES = Set.of("signing", "digital signature", "content commitment", "key encipherment",
            "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
            "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system", "ipsec tunnel",
            "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc");
    private static final List<String> CONDITION_STATUSES = List.of("True", "False", "Unknown");

    private CertificateSigningRequests() {
    }

    static boolean isCsr(ResourceType type) {
        return type.kind().equals(KIND) && type.group().equals("certificates.k8s.io");
    }

    /**
     * On create: the requester fields from the authenticated user, and no status (a request is
     * never created approved).
     *
     * @throws ApiException 403 for a {@code kube-apiserver-client} request that asks for
     *         {@code system:masters}, as Kubernetes' CertificateSubjectRestriction admission
     */
    static void prepareForCreate(ObjectNode csr, UserInfo user) throws ApiException {
        ObjectNode spec = csr.with("spec");
        spec.remove(List.of("username", "uid", "groups", "extra"));
        spec.put("username", user.name());
        if (!user.uid().isEmpty()) {
            spec.put("uid", user.uid());
        }
        ArrayNode groups = spec.putArray("groups");
        user.groups().forEach(groups::add);
        if (!user.extra().isEmpty()) {
            ObjectNode extra = spec.putObject("extra");
            for (Map.Entry<String, List<String>> entry : user.extra().entrySet()) {
                ArrayNode values = extra.putArray(entry.getKey());
                entry.getValue().forEach(values::add);
            }
        }
        csr.remove("status");
        if (KUBE_APISERVER_CLIENT.equals(spec.path("signerName").asText())) {
            PKCS10CertificationRequest request = parse(spec.path("request"));
            if (request != null) {
                for (RDN rdn : request.getSubject().getRDNs(BCStyle.O)) {
                    if (UserInfo.SYSTEM_MASTERS.equals(IETFUtils.valueToString(rdn.getFirst().getValue()))) {
                        throw new ApiException(403, "Forbidden", "use of " + KUBE_APISERVER_CLIENT + " signer with "
                                + UserInfo.SYSTEM_MASTERS + " group is not allowed");
                    }
                }
            }
        }
    }

    /**
     * The object to store for an update through {@code subresource} (null: the object itself),
     * from the stored one and the body: the spec is always the stored one; the object itself keeps
     * the stored status; {@code approval} takes only the body's conditions; {@code status} takes the
     * body's status but keeps the stored Approved and Denied conditions. New conditions get their
     * status defaulted to True and their times set.
     */
    static ObjectNode prepareForUpdate(String subresource, ObjectNode current, ObjectNode body) {
        ObjectNode next;
        if ("approval".equals(subresource)) {
            next = current.deepCopy();
            JsonNode conditions = body.path("status").path("conditions");
            if (conditions.isArray()) {
                next.with("status").set("conditions", conditions.deepCopy());
            } else if (next.path("status").isObject()) {
                ((ObjectNode) next.get("status")).remove("conditions");
            }
        } else if ("status".equals(subresource)) {
            next = current.deepCopy();
            if (body.path("status").isObject()) {
                ObjectNode status = body.get("status").deepCopy();
                ArrayNode conditions = JsonNodeFactory.instance.arrayNode();
                for (JsonNode condition : status.path("conditions")) {
                    String type = condition.path("type").asText();
                    if (!type.equals(APPROVED) && !type.equals(DENIED)) {
                        conditions.add(condition);
                    }
                }
                for (JsonNode condition : current.path("status").path("conditions")) {
                    String type = condition.path("type").asText();
                    if (type.equals(APPROVED) || type.equals(DENIED)) {
                        conditions.add(condition.deepCopy());
                    }
                }
                status.set("conditions", conditions);
                next.set("status", status);
            } else {
                next.remove("status");
            }
        } else {
            next = body.deepCopy();
            if (current.has("status")) {
                next.set("status", current.get("status").deepCopy());
            } else {
                next.remove("status");
            }
        }
        if (current.has("spec")) {
            next.set("spec", current.get("spec").deepCopy());
        }
        completeConditions(next, current);
        return next;
    }

    /** Kubernetes' defaulting (status True) and populateConditionTimestamps. */
    private static void completeConditions(ObjectNode next, ObjectNode current) {
        String now = ObjectStorage.now();
        for (JsonNode node : next.path("status").path("conditions")) {
            if (!(node instanceof ObjectNode condition)) {
                continue;
            }
            if (condition.path("status").asText("").isEmpty()) {
                condition.put("status", "True");
            }
            if (condition.path("lastUpdateTime").asText("").isEmpty()) {
                condition.put("lastUpdateTime", now);
            }
            if (condition.path("lastTransitionTime").asText("").isEmpty()) {
                String transition = now;
                for (JsonNode old : current.path("status").path("conditions")) {
                    if (old.path("type").equals(condition.path("type")) && old.path("status").equals(condition.path("status"))
                            && !old.path("lastTransitionTime").asText("").isEmpty()) {
                        transition = old.path("lastTransitionTime").asText();
                        break;
                    }
                }
                condition.put("lastTransitionTime", transition);
            }
        }
    }

    /** The problems of a request, as Kubernetes' validateCertificateSigningRequest finds them. */
    static List<ApiException.Cause> validate(ObjectNode csr) {
        List<ApiException.Cause> causes = new ArrayList<>();
        JsonNode spec = csr.path("spec");
        String requestProblem = requestProblem(spec.path("request"));
        if (requestProblem != null) {
            causes.add(new ApiException.Cause("FieldValueInvalid", "spec.request", "Invalid value: \"<request data>\": "
                    + requestProblem));
        }
        JsonNode usages = spec.path("usages");
        if (!usages.isArray() || usages.isEmpty()) {
            causes.add(new ApiException.Cause("FieldValueRequired", "spec.usages", "Required value"));
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < usages.size(); i++) {
                String usage = usages.get(i).asText();
                if (!USAGES.contains(usage)) {
                    causes.add(new ApiException.Cause("FieldValueNotSupported", "spec.usages[" + i + "]", "Unsupported value: \""
                            + usage + "\": supported values: " + quoted(new java.util.TreeSet<>(USAGES))));
                } else if (!seen.add(usage)) {
                    causes.add(new ApiException.Cause("FieldValueDuplicate", "spec.usages[" + i + "]", "Duplicate value: \""
                            + usage + "\""));
                }
            }
        }
        String signerName = spec.path("signerName").asText("");
        if (signerName.equals(LEGACY_UNKNOWN)) {
            causes.add(new ApiException.Cause("FieldValueInvalid", "spec.signerName", "Invalid value: \"" + signerName
                    + "\": the legacy signerName is not allowed via this API version"));
        } else {
            signerNameProblem(signerName).ifPresent(causes::add);
        }
        JsonNode expiration = spec.path("expirationSeconds");
        if (!expiration.isMissingNode() && !expiration.isNull()) {
            if (!expiration.canConvertToInt()) {
                causes.add(new ApiException.Cause("FieldValueInvalid", "spec.expirationSeconds", "Invalid value: " + expiration
                        + ": must be a number of seconds"));
            } else if (expiration.asInt() < 600) {
                causes.add(new ApiException.Cause("FieldValueInvalid", "spec.expirationSeconds", "Invalid value: "
                        + expiration.asInt() + ": may not specify a duration less than 600 seconds (10 minutes)"));
            }
        }
        validateConditions(csr.path("status").path("conditions"), causes);
        String certificateProblem = certificateProblem(csr.path("status").path("certificate"));
        if (certificateProblem != null) {
            causes.add(new ApiException.Cause("FieldValueInvalid", "status.certificate", "Invalid value: \"<certificate data>\": "
                    + certificateProblem));
        }
        return causes;
    }

    /** The further problems of an update: a condition removed, an issued certificate changed. */
    static List<ApiException.Cause> validateUpdate(ObjectNode next, ObjectNode current) {
        List<ApiException.Cause> causes = new ArrayList<>();
        for (String type : List.of(APPROVED, DENIED, FAILED)) {
            if (count(next, type) < count(current, type)) {
                causes.add(new ApiException.Cause("FieldValueForbidden", "status.conditions",
                        "Forbidden: updates may not remove a condition of type \"" + type + "\""));
            }
        }
        String was = current.path("status").path("certificate").asText("");
        if (!was.isEmpty() && !was.equals(next.path("status").path("certificate").asText(""))) {
            causes.add(new ApiException.Cause("FieldValueInvalid", "status.certificate",
                    "Invalid value: \"[omitted]\": updates may not modify existing certificate content"));
        }
        return causes;
    }

    private static long count(JsonNode csr, String type) {
        long n = 0;
        for (JsonNode condition : csr.path("status").path("conditions")) {
            if (condition.path("type").asText().equals(type)) {
                n++;
            }
        }
        return n;
    }

    private static void validateConditions(JsonNode conditions, List<ApiException.Cause> causes) {
        Set<String> seen = new HashSet<>();
        boolean approved = false;
        boolean denied = false;
        for (int i = 0; i < conditions.size(); i++) {
            JsonNode condition = conditions.get(i);
            String at = "status.conditions[" + i + "]";
            String type = condition.path("type").asText("");
            String status = condition.path("status").asText("");
            if (type.isEmpty()) {
                causes.add(new ApiException.Cause("FieldValueRequired", at + ".type", "Required value"));
            }
            boolean mustBeTrue = type.equals(APPROVED) || type.equals(DENIED) || type.equals(FAILED);
            approved |= type.equals(APPROVED);
            denied |= type.equals(DENIED);
            if (mustBeTrue ? !status.equals("True") : !CONDITION_STATUSES.contains(status)) {
                causes.add(new ApiException.Cause("FieldValueNotSupported", at + ".status", "Unsupported value: \"" + status
                        + "\": supported values: " + (mustBeTrue ? "\"True\"" : quoted(CONDITION_STATUSES))));
            }
            if (!seen.add(type)) {
                causes.add(new ApiException.Cause("FieldValueDuplicate", at + ".type", "Duplicate value: \"" + type + "\""));
            }
        }
        if (approved && denied) {
            causes.add(new ApiException.Cause("FieldValueInvalid", "status.conditions",
                    "Invalid value: \"conditions\": Approved and Denied conditions are mutually exclusive"));
        }
    }

    /** Kubernetes' ValidateSignerName: {@code example.com/signer-name}. */
    private static java.util.Optional<ApiException.Cause> signerNameProblem(String signerName) {
        if (signerName.isEmpty()) {
            return java.util.Optional.of(new ApiException.Cause("FieldValueRequired", "spec.signerName", "Required value"));
        }
        String[] segments = signerName.split("/", -1);
        String problem = null;
        if (segments.length != 2) {
            problem = "must be a fully qualified domain and path of the form 'example.com/signer-name'";
        } else if (!segments[0].contains(".") || !LabelSyntax.isDnsSubdomain(segments[0])) {
            problem = "should be a domain with at least two segments separated by dots";
        } else if (segments[1].isEmpty() || segments[1].length() > 63 + 1 + 253
                || !java.util.Arrays.stream(segments[1].split("\\.", -1)).allMatch(LabelSyntax::isDnsSubdomain)) {
            problem = "validating path: must consist of lower case alphanumeric characters, '-' or '.'";
        }
        return java.util.Optional.ofNullable(problem).map(p -> new ApiException.Cause("FieldValueInvalid", "spec.signerName",
                "Invalid value: \"" + signerName + "\": " + p));
    }

    /** Why {@code spec.request} is not a PEM certificate request with a good signature, or null if it is one. */
    static String requestProblem(JsonNode field) {
        byte[] pem = decode(field);
        if (pem == null) {
            return "PEM block type must be CERTIFICATE REQUEST";
        }
        try (PemReader reader = new PemReader(new StringReader(new String(pem, StandardCharsets.UTF_8)))) {
            PemObject block = reader.readPemObject();
            if (block == null || !block.getType().equals("CERTIFICATE REQUEST")) {
                return "PEM block type must be CERTIFICATE REQUEST";
            }
            PKCS10CertificationRequest request = new PKCS10CertificationRequest(block.getContent());
            boolean valid = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey(request)));
            return valid ? null : "x509: the signature of the request does not verify with its public key";
        } catch (IOException | RuntimeException e) {
            return "asn1: structure error: " + e.getMessage();
        } catch (OperatorCreationException | PKCSException | GeneralSecurityException e) {
            return "x509: cannot verify signature: " + e.getMessage();
        }
    }

    /** The request's key, made by the JDK's own providers (BouncyCastle's are not registered). */
    private static PublicKey publicKey(PKCS10CertificationRequest request) throws GeneralSecurityException, IOException {
        String oid = request.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm().getId();
        String algorithm = switch (oid) {
            case "1.2.840.10045.2.1" -> "EC";
            case "1.2.840.113549.1.1.1" -> "RSA";
            case "1.3.101.112" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported public key algorithm " + oid);
        };
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(request.getSubjectPublicKeyInfo().getEncoded()));
    }

    /** The parsed request, or null if it is not one. */
    private static PKCS10CertificationRequest parse(JsonNode field) {
        byte[] pem = decode(field);
        if (pem == null) {
            return null;
        }
        try (PemReader reader = new PemReader(new StringReader(new String(pem, StandardCharsets.UTF_8)))) {
            PemObject block = reader.readPemObject();
            return block == null ? null : new PKCS10CertificationRequest(block.getContent());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A {@code []byte} field: base64 in JSON; null when absent or not base64. */
    private static byte[] decode(JsonNode field) {
        if (!field.isTextual()) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(field.asText());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Why {@code status.certificate} is not PEM certificates only, or null if it is (or is empty). */
    private static String certificateProblem(JsonNode field) {
        if (field.isMissingNode() || field.isNull() || field.asText("").isEmpty()) {
            return null;
        }
        byte[] pem = decode(field);
        if (pem == null) {
            return "must contain at least one CERTIFICATE PEM block";
        }
        int blocks = 0;
        try (PemReader reader = new PemReader(new StringReader(new String(pem, StandardCharsets.UTF_8)))) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (PemObject block; (block = reader.readPemObject()) != null;) {
                if (!block.getType().equals("CERTIFICATE")) {
                    return "only CERTIFICATE PEM blocks are allowed, found \"" + block.getType() + "\"";
                }
                if (!block.getHeaders().isEmpty()) {
                    return "no PEM block headers are permitted";
                }
                factory.generateCertificate(new ByteArrayInputStream(block.getContent()));
                blocks++;
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            return e.getMessage();
        }
        return blocks == 0 ? "must contain at least one CERTIFICATE PEM block" : null;
    }

    private static String quoted(java.util.Collection<String> values) {
        StringBuilder text = new StringBuilder();
        for (String value : values) {
            text.append(text.length() == 0 ? "" : ", ").append('"').append(value).append('"');
        }
        return text.toString();
    }

    /** {@code kubectl get csr}'s CONDITION column, as Kubernetes' printer: Pending, Approved or Denied, then Failed and Issued. */
    static String condition(JsonNode csr) {
        boolean approved = false;
        boolean denied = false;
        boolean failed = false;
        for (JsonNode condition : csr.path("status").path("conditions")) {
            switch (condition.path("type").asText()) {
                case APPROVED -> approved = true;
                case DENIED -> denied = true;
                case FAILED -> failed = true;
                default -> {
                }
            }
        }
        String status = denied ? "Denied" : approved ? "Approved" : "Pending";
        if (failed) {
            status += ",Failed";
        }
        if (!csr.path("status").path("certificate").asText("").isEmpty()) {
            status += ",Issued";
        }
        return status;
    }
}
