package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.junit.jupiter.api.Test;

/** When the approver approves by itself, and what each signer accepts. */
final class SignerRulesTest {
    private static final List<String> CLIENT = List.of("digital signature", "key encipherment", "client auth");
    private static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");
    private static final List<String> BOOTSTRAPPER = List.of("system:bootstrappers", "system:authenticated");
    private static final GeneralNames NAMES = new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "n1"), new GeneralName(GeneralName.iPAddress, "10.0.0.5") });
    private final KeyPair key;

    SignerRulesTest() throws Exception {
        key = CertificateAuthority.newKeyPair();
    }

    private SigningRequest request(String subject, GeneralNames names, String signer, List<String> usages, String user,
            List<String> groups) throws Exception {
        return SigningRequest.of(CertificateRequests.csr(key, subject, names, signer, usages, user, groups));
    }

    private SigningRequest kubeletClient(String subject, String user, List<String> groups) throws Exception {
        return request(subject, null, SignerRules.KUBELET_CLIENT, CLIENT, user, groups);
    }

    @Test
    void aNewNodesClientCertificateAskedForByABootstrapperIsApproved() throws Exception {
        SigningRequest request = kubeletClient("CN=system:node:n1,O=system:nodes", "system:bootstrap:abcdef", BOOTSTRAPPER);
        assertEquals(Optional.empty(), SignerRules.approvalProblem(request, true));
        assertEquals("Auto approving kubelet client certificate after SubjectAccessReview.", SignerRules.approvalMessage(request));
        assertEquals(Optional.empty(), SignerRules.signingProblem(request));
    }

    @Test
    void aNodeRenewingItsOwnClientCertificateIsApprovedButNotAnotherNodes() throws Exception {
        List<String> nodes = List.of("system:nodes", "system:authenticated");
        SigningRequest own = kubeletClient("CN=system:node:n1,O=system:nodes", "system:node:n1", nodes);
        assertEquals(Optional.empty(), SignerRules.approvalProblem(own, true));
        assertTrue(SignerRules.approvalMessage(own).startsWith("Auto approving self kubelet client certificate"));
        SigningRequest other = kubeletClient("CN=system:node:n2,O=system:nodes", "system:node:n1", nodes);
        assertTrue(SignerRules.approvalProblem(other, true).isPresent());
    }

    @Test
    void anythingButANodeSubjectWithClientUsagesIsLeftToTheAdmin() throws Exception {
        for (String subject : List.of("CN=system:node:n1", "CN=system:node:n1,O=system:nodes,O=system:masters", "CN=jane,O=system:nodes",
                "CN=system:node:,O=system:nodes")) {
            SigningRequest request = kubeletClient(subject, "system:bootstrap:abcdef", BOOTSTRAPPER);
            assertTrue(SignerRules.approvalProblem(request, true).isPresent(), subject);
            assertTrue(SignerRules.signingProblem(request).isPresent(), subject);
        }
        SigningRequest serverUsage = request("CN=system:node:n1,O=system:nodes", null, SignerRules.KUBELET_CLIENT,
                List.of("digital signature", "client auth", "server auth"), "system:bootstrap:abcdef", BOOTSTRAPPER);
        assertTrue(SignerRules.approvalProblem(serverUsage, true).isPresent());
        SigningRequest withNames = request("CN=system:node:n1,O=system:nodes", NAMES, SignerRules.KUBELET_CLIENT, CLIENT,
                "system:bootstrap:abcdef", BOOTSTRAPPER);
        assertTrue(SignerRules.approvalProblem(withNames, true).isPresent());
        SigningRequest byAnyone = kubeletClient("CN=system:node:n1,O=system:nodes", "jane", List.of("system:authenticated"));
        assertTrue(SignerRules.approvalProblem(byAnyone, true).isPresent());
        SigningRequest generic = request("CN=jane", null, SignerRules.KUBE_APISERVER_CLIENT, CLIENT, "system:bootstrap:abcdef",
                BOOTSTRAPPER);
        assertTrue(SignerRules.approvalProblem(generic, true).isPresent(), "generic client certificates wait for an admin");
        assertEquals(Optional.empty(), SignerRules.signingProblem(generic), "and are signed once approved");
    }

    @Test
    void servingCertificatesOfTheNodeWithDnsAndIpNamesAreApprovedUnlessTurnedOff() throws Exception {
        SigningRequest serving = request("CN=system:node:n1,O=system:nodes", NAMES, SignerRules.KUBELET_SERVING, SERVING,
                "system:node:n1", List.of("system:nodes"));
        assertEquals(Optional.empty(), SignerRules.approvalProblem(serving, true));
        assertTrue(SignerRules.approvalProblem(serving, false).isPresent());
        assertEquals(Optional.empty(), SignerRules.signingProblem(serving));

        SigningRequest noNames = request("CN=system:node:n1,O=system:nodes", null, SignerRules.KUBELET_SERVING, SERVING,
                "system:node:n1", List.of("system:nodes"));
        assertTrue(SignerRules.approvalProblem(noNames, true).isPresent());
        assertTrue(SignerRules.signingProblem(noNames).isPresent());
        GeneralNames email = new GeneralNames(new GeneralName(GeneralName.rfc822Name, "n1@example.com"));
        SigningRequest withEmail = request("CN=system:node:n1,O=system:nodes", email, SignerRules.KUBELET_SERVING, SERVING,
                "system:node:n1", List.of("system:nodes"));
        assertTrue(SignerRules.approvalProblem(withEmail, true).isPresent());
        SigningRequest otherNode = request("CN=system:node:n2,O=system:nodes", NAMES, SignerRules.KUBELET_SERVING, SERVING,
                "system:node:n1", List.of("system:nodes"));
        assertTrue(SignerRules.approvalProblem(otherNode, true).isPresent());
    }
}
