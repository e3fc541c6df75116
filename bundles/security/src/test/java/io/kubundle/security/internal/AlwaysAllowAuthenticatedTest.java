package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.auth.AuthorizationAttributes;
import io.kubundle.api.auth.Decision;
import io.kubundle.api.auth.UserInfo;

final class AlwaysAllowAuthenticatedTest {
    private final AlwaysAllowAuthenticated authorizer = new AlwaysAllowAuthenticated();

    @Test
    void allowsAuthenticatedUsersAndHasNoOpinionOnOthers() {
        UserInfo jane = new UserInfo("jane", "", List.of(UserInfo.ALL_AUTHENTICATED), Map.of());
        assertEquals(Decision.ALLOW, authorizer.authorize(podsList(jane)));
        assertEquals(Decision.NO_OPINION, authorizer.authorize(podsList(UserInfo.anonymous())));
        assertEquals(Decision.NO_OPINION, authorizer.authorize(podsList(new UserInfo("ungrouped", null, null, null))));
    }

    private static AuthorizationAttributes podsList(UserInfo user) {
        return new AuthorizationAttributes(user, "list", "", "v1", "pods", null, "default", null, true,
                "/api/v1/namespaces/default/pods");
    }
}
