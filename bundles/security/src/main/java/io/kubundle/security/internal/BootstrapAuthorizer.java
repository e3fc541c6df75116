package io.kubundle.security.internal;

import java.util.Set;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;

import io.kubundle.api.auth.AuthorizationAttributes;
import io.kubundle.api.auth.Authorizer;
import io.kubundle.api.auth.Decision;
import io.kubundle.api.auth.UserInfo;

/**
 * What a bootstrap token may do, as Kubernetes' {@code system:node-bootstrapper} and
 * {@code system:discovery} roles allow it: create, get, list and watch CertificateSigningRequests
 * and read discovery, version, OpenAPI and health. Anything else a member of
 * {@code system:bootstrappers} asks is denied, so that a leaked join token cannot read Secrets or
 * run pods even while {@link AlwaysAllowAuthenticated} lets every other user do everything. Other
 * users get no opinion. Ranked above {@link AlwaysAllowAuthenticated} and below where an RBAC
 * authorizer would go.
 */
@Component(service = Authorizer.class, property = {
        Authorizer.NAME_PROPERTY + "=" + BootstrapAuthorizer.NAME, Constants.SERVICE_RANKING + ":Integer=" + BootstrapAuthorizer.RANKING })
public final class BootstrapAuthorizer implements Authorizer {
    static final String NAME = "node-bootstrapper";
    static final int RANKING = -5_000;
    private static final Set<String> CSR_VERBS = Set.of("create", "get", "list", "watch");
    private static final Set<String> DISCOVERY = Set.of("/api", "/apis", "/version", "/healthz", "/livez", "/readyz", "/openapi/v2",
            "/openapi/v3");

    @Override
    public Decision authorize(AuthorizationAttributes attributes) {
        UserInfo user = attributes.user();
        if (!user.groups().contains(BootstrapToken.GROUP) || user.groups().contains(UserInfo.SYSTEM_MASTERS)) {
            return Decision.NO_OPINION;
        }
        if (attributes.resourceRequest()) {
            boolean csr = attributes.apiGroup().equals("certificates.k8s.io")
                    && attributes.resource().equals("certificatesigningrequests") && attributes.subresource().isEmpty();
            return csr && CSR_VERBS.contains(attributes.verb()) ? Decision.ALLOW : Decision.DENY;
        }
        String path = attributes.path();
        boolean discovery = DISCOVERY.contains(path) || path.startsWith("/api/") || path.startsWith("/apis/")
                || path.startsWith("/openapi/");
        return attributes.verb().equals("get") && discovery ? Decision.ALLOW : Decision.DENY;
    }
}
