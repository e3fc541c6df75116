package io.kubundle.security.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.auth.AuthorizationAttributes;
import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.Decision;
import io.kubundle.api.auth.UserInfo;

/** Bootstrap tokens from Secrets, as Kubernetes reads them, and what their users may do. */
final class BootstrapTokenAuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private final Map<String, JsonNode> secrets = new HashMap<>();
    private final BootstrapTokenAuthenticator authenticator = new BootstrapTokenAuthenticator(
            name -> Optional.ofNullable(secrets.get(name)), Clock.fixed(NOW, ZoneOffset.UTC));

    private static ObjectNode secret(String id, String secret, Map<String, String> more) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.put("apiVersion", "v1").put("kind", "Secret").put("type", "bootstrap.kubernetes.io/token");
        object.putObject("metadata").put("name", "bootstrap-token-" + id).put("namespace", "kube-system");
        ObjectNode data = object.putObject("data");
        Map<String, String> values = new HashMap<>(Map.of("token-id", id, "token-secret", secret,
                "usage-bootstrap-authentication", "true"));
        values.putAll(more);
        values.forEach((key, value) -> data.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return object;
    }

    private Optional<UserInfo> login(String token) {
        return authenticator.authenticate(new Credentials(null, "Bearer " + token));
    }

    @Test
    void aValidTokenIsItsBootstrapUserWithTheExtraGroups() {
        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef",
                Map.of("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token", "expiration", "2026-12-03T10:00:00Z")));
        assertEquals(Optional.of(new UserInfo("system:bootstrap:abcdef", "", List.of("system:bootstrappers",
                "system:bootstrappers:kubeadm:default-node-token", UserInfo.ALL_AUTHENTICATED), Map.of())),
                login("abcdef.0123456789abcdef"));
    }

    @Test
    void wrongUnknownExpiredOrUnusableTokensAreNotRecognised() {
        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef", Map.of()));
        assertEquals(Optional.empty(), login("abcdef.0123456789abcdee"), "wrong secret");
        assertEquals(Optional.empty(), login("zzzzzz.0123456789abcdef"), "unknown id");
        assertEquals(Optional.empty(), login("abcdef.0123456789ABCDEF"), "not the format");
        assertEquals(Optional.empty(), authenticator.authenticate(new Credentials(null, null)));

        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef", Map.of("expiration", "2026-12-02T09:59:59Z")));
        assertEquals(Optional.empty(), login("abcdef.0123456789abcdef"), "expired");
        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef", Map.of("expiration", "tomorrow")));
        assertEquals(Optional.empty(), login("abcdef.0123456789abcdef"), "an expiry that cannot be read counts as expired");
        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef", Map.of("usage-bootstrap-authentication", "false")));
        assertEquals(Optional.empty(), login("abcdef.0123456789abcdef"), "not for authentication");
        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef", Map.of("auth-extra-groups", "system:masters")));
        assertEquals(Optional.empty(), login("abcdef.0123456789abcdef"), "extra groups must be system:bootstrappers:...");
        ObjectNode opaque = secret("abcdef", "0123456789abcdef", Map.of());
        opaque.put("type", "Opaque");
        secrets.put("bootstrap-token-abcdef", opaque);
        assertEquals(Optional.empty(), login("abcdef.0123456789abcdef"), "not a bootstrap token Secret");
        ObjectNode misnamed = secret("abcdeg", "0123456789abcdef", Map.of());
        misnamed.with("metadata").put("name", "bootstrap-token-abcdef");
        secrets.put("bootstrap-token-abcdef", misnamed);
        assertEquals(Optional.empty(), login("abcdef.0123456789abcdef"), "the name must match the token id");
    }

    @Test
    void parsingTellsWhy() {
        BootstrapToken.Token token = BootstrapToken.fromSecret(secret("abcdef", "0123456789abcdef",
                Map.of("expiration", "2026-12-03T11:00:00+01:00")));
        assertNotNull(token.token(), token.refusal());
        assertEquals(Instant.parse("2026-12-03T10:00:00Z"), token.token().expiration());
        assertFalse(token.token().expiredAt(NOW));
        assertTrue(token.token().expiredAt(Instant.parse("2026-12-03T10:00:00Z")));
        BootstrapToken.Token bad = BootstrapToken.fromSecret(secret("abc", "0123456789abcdef", Map.of()));
        assertNull(bad.token());
        assertTrue(bad.refusal().contains("token-id"), bad.refusal());
    }

    @Test
    void bootstrappersMayOnlyAskForCertificatesAndReadDiscovery() {
        BootstrapAuthorizer authorizer = new BootstrapAuthorizer();
        UserInfo bootstrapper = new UserInfo("system:bootstrap:abcdef", "", List.of("system:bootstrappers",
                UserInfo.ALL_AUTHENTICATED), Map.of());
        for (String verb : List.of("create", "get", "list", "watch")) {
            assertEquals(Decision.ALLOW, authorizer.authorize(resource(bootstrapper, verb, "certificates.k8s.io",
                    "certificatesigningrequests", "")), verb);
        }
        assertEquals(Decision.DENY, authorizer.authorize(resource(bootstrapper, "update", "certificates.k8s.io",
                "certificatesigningrequests", "approval")));
        assertEquals(Decision.DENY, authorizer.authorize(resource(bootstrapper, "list", "", "secrets", "")));
        assertEquals(Decision.DENY, authorizer.authorize(resource(bootstrapper, "create", "", "pods", "")));
        assertEquals(Decision.ALLOW, authorizer.authorize(new AuthorizationAttributes(bootstrapper, "get", null, null, null, null,
                null, null, false, "/apis/certificates.k8s.io/v1")));
        assertEquals(Decision.DENY, authorizer.authorize(new AuthorizationAttributes(bootstrapper, "post", null, null, null, null,
                null, null, false, "/api")));
        UserInfo node = new UserInfo("system:node:n1", "", List.of("system:nodes", UserInfo.ALL_AUTHENTICATED), Map.of());
        assertEquals(Decision.NO_OPINION, authorizer.authorize(resource(node, "list", "", "secrets", "")));
    }

    private static AuthorizationAttributes resource(UserInfo user, String verb, String group, String resource, String subresource) {
        return new AuthorizationAttributes(user, verb, group, "v1", resource, subresource, null, null, true, "/");
    }
}
