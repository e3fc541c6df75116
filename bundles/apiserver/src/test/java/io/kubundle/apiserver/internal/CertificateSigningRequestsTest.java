package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.auth.UserInfo;

/** The CertificateSigningRequest strategy: requester from the user, validation, immutable spec, approval and status. */
class CertificateSigningRequestsTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ResourceTypes types = ResourceTypes.builtIn();
    private final ResourceType csrs = types.byResource("certificates.k8s.io", "v1", "certificatesigningrequests").orElseThrow();
    private final MemoryStore store = new MemoryStore();
    private final Resources resources = new Resources(new ObjectStorage(json, () -> store), types, json, () -> null,
            Runnable::run);
    private final UserInfo bootstrapper = new UserInfo("system:bootstrap:abcdef", "", List.of("system:bootstrappers",
            "system:authenticated"), Map.of());

    @BeforeEach
    void namespaces() throws ApiException {
        resources.ensureInitialNamespaces();
    }

    static String pemRequest(String subject) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(request);
        }
        return pem.toString();
    }

    private ObjectNode csr(String name, String requestPem, String signer) {
        ObjectNode csr = json.createObjectNode().put("apiVersion", "certificates.k8s.io/v1").put("kind", "CertificateSigningRequest");
        csr.putObject("metadata").put("name", name);
        ObjectNode spec = csr.putObject("spec");
        spec.put("request", Base64.getEncoder().encodeToString(requestPem.getBytes(StandardCharsets.UTF_8)));
        if (signer != null) {
            spec.put("signerName", signer);
        }
        spec.putArray("usages").add("digital signature").add("client auth");
        spec.put("username", "someone-else").putArray("groups").add("system:masters");
        csr.putObject("status").putArray("conditions").addObject().put("type", "Approved").put("status", "True");
        return csr;
    }

    private ObjectNode create(ObjectNode csr, UserInfo user) throws ApiException {
        CertificateSigningRequests.prepareForCreate(csr, user);
        return resources.create(csrs, null, csr, user.name(), null);
    }

    private static List<String> fields(ApiException e) {
        return e.causes().stream().map(ApiException.Cause::field).toList();
    }

    private ObjectNode conditions(ObjectNode csr, String... types) {
        ObjectNode body = csr.deepCopy();
        var array = body.with("status").putArray("conditions");
        for (String type : types) {
            array.addObject().put("type", type).put("status", "True").put("reason", "Test");
        }
        return body;
    }

    @Test
    void theRequesterIsTheAuthenticatedUserAndNothingIsPreApproved() throws Exception {
        ObjectNode created = create(csr("node-csr-1", pemRequest("CN=system:node:n1,O=system:nodes"),
                "kubernetes.io/kube-apiserver-client-kubelet"), bootstrapper);
        assertEquals("system:bootstrap:abcdef", created.at("/spec/username").asText());
        assertEquals(json.createArrayNode().add("system:bootstrappers").add("system:authenticated"), created.at("/spec/groups"));
        assertTrue(created.path("status").path("conditions").isEmpty(), created.toString());
        assertEquals("Pending", CertificateSigningRequests.condition(created));
    }

    @Test
    void badRequestsAreRefusedWithFieldCauses() throws Exception {
        ObjectNode garbage = csr("bad", "not a certificate request", null);
        garbage.with("spec").put("expirationSeconds", 60).putArray("usages").add("client auth").add("flying");
        ApiException e = assertThrows(ApiException.class, () -> create(garbage, bootstrapper));
        assertEquals(422, e.code());
        assertEquals(List.of("spec.request", "spec.usages[1]", "spec.signerName", "spec.expirationSeconds"), fields(e));
        assertTrue(e.getMessage().contains("PEM block type must be CERTIFICATE REQUEST"), e.getMessage());

        ObjectNode badSigner = csr("bad-signer", pemRequest("CN=x"), "no-domain");
        assertEquals(List.of("spec.signerName"), fields(assertThrows(ApiException.class, () -> create(badSigner, bootstrapper))));

        // a request whose signature does not verify: one byte of the signature changed
        String pem = pemRequest("CN=x");
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        der[der.length - 3] ^= 1;
        String tampered = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
        ApiException signature = assertThrows(ApiException.class, () -> create(csr("tampered", tampered, "example.com/s"), bootstrapper));
        assertEquals(List.of("spec.request"), fields(signature));
    }

    @Test
    void systemMastersCannotBeAskedOfTheApiServerClientSigner() throws Exception {
        ObjectNode masters = csr("masters", pemRequest("CN=eve,O=system:masters"), "kubernetes.io/kube-apiserver-client");
        assertEquals(403, assertThrows(ApiException.class, () -> create(masters, bootstrapper)).code());
    }

    @Test
    void approvalChangesOnlyTheConditionsAndCannotBeUndone() throws Exception {
        ObjectNode created = create(csr("c1", pemRequest("CN=jane"), "kubernetes.io/kube-apiserver-client"), bootstrapper);
        ObjectNode body = conditions(created, "Approved");
        body.with("spec").put("username", "mallory");
        body.with("metadata").putObject("labels").put("a", "b");
        body.with("status").put("certificate", "ignored");
        ObjectNode approved = resources.update(csrs, null, "c1", "approval", body, "admin", null);
        assertEquals("Approved", CertificateSigningRequests.condition(approved));
        assertEquals("system:bootstrap:abcdef", approved.at("/spec/username").asText(), "the spec is immutable");
        assertTrue(approved.at("/metadata/labels").isMissingNode(), "approval writes only the conditions");
        assertFalse(approved.path("status").has("certificate"));
        JsonNode condition = approved.at("/status/conditions/0");
        assertFalse(condition.path("lastUpdateTime").asText("").isEmpty(), condition.toString());
        assertFalse(condition.path("lastTransitionTime").asText("").isEmpty(), condition.toString());

        ApiException both = assertThrows(ApiException.class, () -> resources.update(csrs, null, "c1", "approval",
                conditions(approved, "Approved", "Denied"), "admin", null));
        assertEquals(List.of("status.conditions"), fields(both));
        ApiException removed = assertThrows(ApiException.class, () -> resources.update(csrs, null, "c1", "approval",
                conditions(approved), "admin", null));
        assertEquals(List.of("status.conditions"), fields(removed));
        assertTrue(removed.getMessage().contains("may not remove a condition of type \"Approved\""), removed.getMessage());
    }

    @Test
    void theStatusSubresourceSetsTheCertificateButNotTheApproval() throws Exception {
        ObjectNode created = create(csr("c2", pemRequest("CN=jane"), "kubernetes.io/kube-apiserver-client"), bootstrapper);
        ObjectNode approved = resources.update(csrs, null, "c2", "approval", conditions(created, "Approved"), "admin", null);

        ObjectNode garbage = approved.deepCopy();
        garbage.with("status").put("certificate", Base64.getEncoder().encodeToString("nope".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("status.certificate"), fields(assertThrows(ApiException.class,
                () -> resources.update(csrs, null, "c2", "status", garbage, "signer", null))));

        String certificate = Base64.getEncoder().encodeToString(("-----BEGIN CERTIFICATE-----\n" + SELF_SIGNED
                + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.UTF_8));
        ObjectNode body = conditions(approved, "Denied");
        body.with("status").put("certificate", certificate);
        ObjectNode issued = resources.update(csrs, null, "c2", "status", body, "signer", null);
        assertEquals("Approved,Issued", CertificateSigningRequests.condition(issued), "the status subresource keeps Approved, drops Denied");

        ObjectNode replaced = issued.deepCopy();
        replaced.with("status").remove("certificate");
        assertEquals(List.of("status.certificate"), fields(assertThrows(ApiException.class,
                () -> resources.update(csrs, null, "c2", "status", replaced, "signer", null))));

        ObjectNode whole = issued.deepCopy();
        whole.with("spec").putArray("usages").add("server auth");
        whole.remove("status");
        whole.with("metadata").putObject("labels").put("seen", "yes");
        ObjectNode updated = resources.update(csrs, null, "c2", null, whole, "admin", null);
        assertEquals("yes", updated.at("/metadata/labels/seen").asText());
        assertEquals(created.at("/spec"), updated.at("/spec"), "the spec is kept on update");
        assertEquals("Approved,Issued", CertificateSigningRequests.condition(updated), "and so is the status");
    }

    @Test
    void kubectlGetShowsSignerRequestorDurationAndCondition() throws Exception {
        ObjectNode csr = csr("c3", pemRequest("CN=jane"), "kubernetes.io/kube-apiserver-client");
        csr.with("spec").put("expirationSeconds", 86400);
        ObjectNode created = create(csr, bootstrapper);
        ObjectNode table = Tables.table(csrs, List.of(created), "1", null, true);
        List<String> columns = new java.util.ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
        assertEquals(List.of("Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"), columns);
        JsonNode cells = table.at("/rows/0/cells");
        assertEquals("kubernetes.io/kube-apiserver-client", cells.get(2).asText());
        assertEquals("system:bootstrap:abcdef", cells.get(3).asText());
        assertEquals("24h", cells.get(4).asText());
        assertEquals("Pending", cells.get(5).asText());
    }

    @Test
    void protobufBodiesCarryTheRequestAndExtras() throws Exception {
        ObjectNode csr = csr("c4", pemRequest("CN=jane"), "kubernetes.io/kube-apiserver-client");
        CertificateSigningRequests.prepareForCreate(csr, new UserInfo("jane", "u1", List.of("dev"),
                Map.of("scopes", List.of("a", "b"))));
        ProtobufBodies.Encoded encoded = ProtobufBodies.shared().encode(csr);
        assertEquals(List.of(), encoded.dropped());
        ObjectNode decoded = ProtobufBodies.shared().decode(encoded.body());
        assertEquals(csr.at("/spec"), decoded.at("/spec"));
    }

    /** A self-signed certificate (openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj /CN=t -days 3650). */
    private static final String SELF_SIGNED = """
            MIIBbTCCAROgAwIBAgIUDNyuL0W/COK11vWiBMm63QSktkwwCgYIKoZIzj0EAwIw
            DDEKMAgGA1UEAwwBdDAeFw0yNjEyMDIxMDI0NDBaFw0zNjExMjkxMDI0NDBaMAwx
            CjAIBgNVBAMMAXQwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARrEfRvG6QfkMvS
            ZRLBMr+kT+mrxgI/tHoVMUmpGMba2idO+alPPiJbSgaXvhp3EJP+lR5Cx46/RDzZ
            jtD/lldQo1MwUTAdBgNVHQ4EFgQU5gIUP4s8j2j9vD7PMFdbEkUADqwwHwYDVR0j
            BBgwFoAU5gIUP4s8j2j9vD7PMFdbEkUADqwwDwYDVR0TAQH/BAUwAwEB/zAKBggq
            hkjOPQQDAgNIADBFAiEA1jh6C6BlKlB2tdgakwP1Cw0ILsJxBB+zCOgrkVBXy38C
            IHI4CHo2pL+ux/aqjQBAkdxpHz27F7she3GCxPVzE/J6""";
}
