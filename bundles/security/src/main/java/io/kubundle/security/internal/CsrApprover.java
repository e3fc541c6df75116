package io.kubundle.security.internal;

import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.PatchType;

/**
 * The approver, as kube-controller-manager's csrapproving: a pending request that
 * {@link SignerRules#approvalProblem} finds nothing against gets an {@code Approved} condition
 * through the {@code approval} subresource. Anything else stays pending for an admin ({@code
 * kubectl certificate approve|deny}). Unlike Kubernetes, kubelet serving certificates are approved
 * too unless {@code approveKubeletServing} is off.
 */
final class CsrApprover implements CsrController.Step {
    private static final System.Logger LOG = System.getLogger(CsrApprover.class.getName());

    private final boolean approveServing;

    CsrApprover(boolean approveServing) {
        this.approveServing = approveServing;
    }

    @Override
    public Duration handle(ObjectNode csr, KubeClient client) throws Exception {
        if (SigningRequest.hasCondition(csr, SigningRequest.TYPE_APPROVED)
                || SigningRequest.hasCondition(csr, SigningRequest.TYPE_DENIED)) {
            return Duration.ZERO;
        }
        SigningRequest request;
        try {
            request = SigningRequest.of(csr);
        } catch (IllegalArgumentException e) {
            return Duration.ZERO; // the API server refuses such requests; nothing to approve
        }
        Optional<String> problem = SignerRules.approvalProblem(request, approveServing);
        if (problem.isPresent()) {
            LOG.log(System.Logger.Level.DEBUG, "leaving {0} to an admin: {1}", request.name(), problem.get());
            return Duration.ZERO;
        }
        ObjectNode patch = client.json().createObjectNode();
        patch.putObject("metadata").put("resourceVersion", csr.path("metadata").path("resourceVersion").asText());
        CsrController.withCondition(csr, patch, SigningRequest.TYPE_APPROVED, "AutoApproved", SignerRules.approvalMessage(request));
        client.resources(CsrController.CSRS).patch(null, request.name(), PatchType.MERGE, patch, "approval");
        LOG.log(System.Logger.Level.INFO, "approved {0} of {1} for {2}", request.name(), request.username(), request.commonName());
        return Duration.ZERO;
    }
}
