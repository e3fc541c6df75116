package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.kubundle.api.auth.AuthorizationAttributes;
import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.UserInfo;

/** The value types of io.kubundle.api.auth, tested here because the API bundle holds no logic worth a module of tests. */
final class AuthApiTest {

    @Test
    void bearerTokensAreParsedAsKubernetesDoes() {
        assertEquals(Optional.of("abc"), token("Bearer abc"));
        assertEquals(Optional.of("abc"), token("  bearer abc  "));
        assertEquals(Optional.of("abc"), token("BEARER abc def"));
        assertEquals(Optional.empty(), token("Bearer"));
        assertEquals(Optional.empty(), token("Bearer  abc"));
        assertEquals(Optional.empty(), token("Basic YWxpY2U6cHc="));
        assertEquals(Optional.empty(), token(null));
    }

    @Test
    void usersAreImmutableAndNeverNull() {
        List<String> groups = new ArrayList<>(List.of("dev"));
        UserInfo user = new UserInfo("jane", null, groups, Map.of("scopes", List.of("a")));
        groups.add("system:masters");
        assertEquals(List.of("dev"), user.groups());
        assertEquals("", user.uid());
        assertThrows(UnsupportedOperationException.class, () -> user.extra().put("x", List.of()));
        assertEquals(new UserInfo("system:anonymous", "", List.of("system:unauthenticated"), Map.of()), UserInfo.anonymous());
    }

    @Test
    void absentAttributesAreEmptyStrings() {
        AuthorizationAttributes attributes = new AuthorizationAttributes(UserInfo.anonymous(), "get", null, null, null,
                null, null, null, false, "/healthz");
        assertEquals("", attributes.apiGroup());
        assertEquals("", attributes.namespace());
        assertEquals("/healthz", attributes.path());
        assertThrows(NullPointerException.class, () -> new AuthorizationAttributes(UserInfo.anonymous(), null, null,
                null, null, null, null, null, false, null));
    }

    private static Optional<String> token(String header) {
        return new Credentials(null, header).bearerToken();
    }
}
