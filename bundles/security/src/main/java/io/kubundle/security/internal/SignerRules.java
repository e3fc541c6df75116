package io.kubundle.security.internal;

import java.util.Optional;
import java.util.Set;

/**
 * What each of Kubernetes' built-in signers that this bundle implements accepts, as
 * {@code pkg/apis/certificates/v1} (ValidateKubeletClientCSR, ValidateKubeletServingCSR) and the
 * csrsigning controller's checks define it, and when the approver approves on its own, as
 * kube-controller-manager's csrapproving does for kubelet client certificates.
 */
final class SignerRules {
    static final String KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
    static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
    static final String KUBELET_SERVING = "kubernetes.io/kubelet-serving";
    /** The signers this bundle signs for; any other is left to whoever implements it. */
    static final Set<String> SIGNERS = Set.of(KUBE_APISERVER_CLIENT, KUBELET_CLIENT, KUBELET_SERVING);
    static final String NODE_PREFIX = "system:node:";
    static final String NODES_GROUP = "system:nodes";
    static final String BOOTSTRAPPERS_GROUP = "system:bootstrappers";

    private static final String DIGITAL_SIGNATURE = "digital signature";
    private static final String KEY_ENCIPHERMENT = "key encipherment";
    private static final String CLIENT_AUTH = "client auth";
    private static final String SERVER_AUTH = "server auth";
    private static final Set<String> CLIENT_USAGES = Set.of(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, CLIENT_AUTH);
    private static final Set<String> SERVING_USAGES = Set.of(DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, SERVER_AUTH);

    private SignerRules() {
    }

    /** Why the request's signer may not sign it, or empty if it may. */
    static Optional<String> signingProblem(SigningRequest request) {
        return switch (request.signerName()) {
            case KUBE_APISERVER_CLIENT -> CLIENT_USAGES.containsAll(request.usages()) && request.usages().contains(CLIENT_AUTH)
                    ? Optional.empty()
                    : Optional.of("usages " + request.usages() + " are not a subset of " + CLIENT_USAGES + " with client auth");
            case KUBELET_CLIENT -> kubeletClientProblem(request);
            case KUBELET_SERVING -> kubeletServingProblem(request);
            default -> Optional.of("signer " + request.signerName() + " is not implemented here");
        };
    }

    /**
     * Why the approver leaves the request to an admin, or empty if it approves it: a node's client
     * certificate asked for by a bootstrapper (a new node) or by that node (a renewal), and, when
     * {@code approveServing}, a node's serving certificate asked for by that node or a bootstrapper.
     */
    static Optional<String> approvalProblem(SigningRequest request, boolean approveServing) {
        boolean byBootstrapper = request.groups().contains(BOOTSTRAPPERS_GROUP);
        boolean byItself = request.username().equals(request.commonName());
        Optional<String> problem = switch (request.signerName()) {
            case KUBELET_CLIENT -> kubeletClientProblem(request);
            case KUBELET_SERVING -> approveServing ? kubeletServingProblem(request)
                    : Optional.of("serving certificates are left to the admin (approveKubeletServing=false)");
            default -> Optional.of("only " + KUBELET_CLIENT + " and " + KUBELET_SERVING + " requests are approved automatically");
        };
        if (problem.isPresent()) {
            return problem;
        }
        return byBootstrapper || byItself ? Optional.empty()
                : Optional.of(request.username() + " is neither a bootstrapper nor the node " + request.commonName());
    }

    /** The approval's message, as Kubernetes words it. */
    static String approvalMessage(SigningRequest request) {
        if (request.signerName().equals(KUBELET_SERVING)) {
            return "Auto approving kubelet serving certificate of " + request.commonName() + " (kubundle)";
        }
        return request.username().equals(request.commonName())
                ? "Auto approving self kubelet client certificate after SubjectAccessReview."
                : "Auto approving kubelet client certificate after SubjectAccessReview.";
    }

    private static Optional<String> kubeletClientProblem(SigningRequest request) {
        Optional<String> node = nodeSubjectProblem(request);
        if (node.isPresent()) {
            return node;
        }
        if (!request.dnsNames().isEmpty() || !request.ipAddresses().isEmpty() || request.otherNames() > 0) {
            return Optional.of("subject alternative names are not allowed in a kubelet client certificate");
        }
        return nodeUsagesProblem(request, CLIENT_USAGES, CLIENT_AUTH);
    }

    private static Optional<String> kubeletServingProblem(SigningRequest request) {
        Optional<String> node = nodeSubjectProblem(request);
        if (node.isPresent()) {
            return node;
        }
        if (request.dnsNames().isEmpty() && request.ipAddresses().isEmpty()) {
            return Optional.of("DNS or IP subjectAltName is required");
        }
        if (request.otherNames() > 0) {
            return Optional.of("only DNS and IP subjectAltNames are allowed in a kubelet serving certificate");
        }
        return nodeUsagesProblem(request, SERVING_USAGES, SERVER_AUTH);
    }

    /** A node's certificate: digital signature and {@code purpose}, perhaps key encipherment (RSA keys), nothing else. */
    private static Optional<String> nodeUsagesProblem(SigningRequest request, Set<String> allowed, String purpose) {
        if (!allowed.containsAll(request.usages()) || !request.usages().contains(purpose)
                || !request.usages().contains(DIGITAL_SIGNATURE)) {
            return Optional.of("usages did not match " + new java.util.TreeSet<>(allowed));
        }
        return Optional.empty();
    }

    private static Optional<String> nodeSubjectProblem(SigningRequest request) {
        if (!request.organizations().equals(java.util.List.of(NODES_GROUP))) {
            return Optional.of("subject organization is not system:nodes");
        }
        if (!request.commonName().startsWith(NODE_PREFIX) || request.commonName().length() == NODE_PREFIX.length()) {
            return Optional.of("subject common name does not begin with system:node:");
        }
        return Optional.empty();
    }
}
