package io.kubundle.security.internal;

import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Component;

import io.kubundle.api.auth.AuthorizationAttributes;
import io.kubundle.api.auth.Authorizer;
import io.kubundle.api.auth.Decision;
import io.kubundle.api.auth.UserInfo;

/**
 * Lets every authenticated user do everything, until finer authorizers exist. Ranked last, so
 * that an authorizer plugged in later (RBAC) decides first; anonymous requests get no opinion,
 * hence 403 unless another authorizer allows them.
 */
@Component(service = Authorizer.class, property = {
        Authorizer.NAME_PROPERTY + "=" + AlwaysAllowAuthenticated.NAME,
        Constants.SERVICE_RANKING + ":Integer=" + AlwaysAllowAuthenticated.RANKING })
public final class AlwaysAllowAuthenticated implements Authorizer {
    static final String NAME = "always-allow-authenticated";
    static final int RANKING = -10_000;

    @Override
    public Decision authorize(AuthorizationAttributes attributes) {
        return attributes.user().groups().contains(UserInfo.ALL_AUTHENTICATED) ? Decision.ALLOW : Decision.NO_OPINION;
    }
}
