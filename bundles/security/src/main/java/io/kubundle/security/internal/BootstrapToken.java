package io.kubundle.security.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A bootstrap token as Kubernetes defines it ({@code k8s.io/cluster-bootstrap}): a Secret in
 * {@code kube-system} named {@code bootstrap-token-<id>} of type
 * {@code bootstrap.kubernetes.io/token}, whose data holds {@code token-id} ({@code [a-z0-9]{6}}),
 * {@code token-secret} ({@code [a-z0-9]{16}}), {@code usage-bootstrap-authentication: "true"},
 * optionally {@code expiration} (RFC 3339) and {@code auth-extra-groups} (comma-separated, each
 * {@code system:bootstrappers:...}). A client presents {@code <id>.<secret>} as a bearer token.
 *
 * @param expiration when it stops being accepted, or null for never
 * @param extraGroups the groups beyond {@code system:bootstrappers}
 */
record BootstrapToken(String id, String secret, Instant expiration, List<String> extraGroups) {
    static final String NAMESPACE = "kube-system";
    static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    static final String NAME_PREFIX = "bootstrap-token-";
    static final String USER_PREFIX = "system:bootstrap:";
    static final String GROUP = "system:bootstrappers";
    static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");
    private static final Pattern ID = Pattern.compile("^[a-z0-9]{6}$");
    private static final Pattern SECRET = Pattern.compile("^[a-z0-9]{16}$");
    private static final Pattern EXTRA_GROUP = Pattern.compile("^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$");

    /** The id and secret of a presented token, or empty if it is not in the bootstrap token format. */
    static Optional<String[]> split(String token) {
        Matcher matcher = TOKEN.matcher(token);
        return matcher.matches() ? Optional.of(new String[] { matcher.group(1), matcher.group(2) }) : Optional.empty();
    }

    /**
     * The token a Secret holds, or why it holds none usable for authentication: another type,
     * a name that does not match its id, a bad id, secret or extra group, authentication not among
     * its usages, or being deleted.
     */
    static Token fromSecret(JsonNode secret) {
        if (!SECRET_TYPE.equals(secret.path("type").asText())) {
            return Token.refused("the Secret is not of type " + SECRET_TYPE);
        }
        if (secret.path("metadata").has("deletionTimestamp")) {
            return Token.refused("the Secret is being deleted");
        }
        JsonNode data = secret.path("data");
        String id = text(data, "token-id");
        String tokenSecret = text(data, "token-secret");
        if (id == null || !ID.matcher(id).matches()) {
            return Token.refused("token-id is missing or not 6 characters of [a-z0-9]");
        }
        if (!secret.path("metadata").path("name").asText().equals(NAME_PREFIX + id)) {
            return Token.refused("the Secret's name is not " + NAME_PREFIX + id);
        }
        if (tokenSecret == null || !SECRET.matcher(tokenSecret).matches()) {
            return Token.refused("token-secret is missing or not 16 characters of [a-z0-9]");
        }
        if (!"true".equals(text(data, "usage-bootstrap-authentication"))) {
            return Token.refused("usage-bootstrap-authentication is not \"true\"");
        }
        Instant expiration = null;
        String expires = text(data, "expiration");
        if (expires != null && !expires.isEmpty()) {
            try {
                expiration = OffsetDateTime.parse(expires).toInstant();
            } catch (DateTimeParseException e) {
                // Kubernetes takes a token it cannot tell the expiry of as expired
                return Token.refused("expiration \"" + expires + "\" is not an RFC 3339 time");
            }
        }
        List<String> groups = new ArrayList<>();
        String extra = text(data, "auth-extra-groups");
        if (extra != null) {
            for (String group : extra.split(",")) {
                String trimmed = group.strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (!EXTRA_GROUP.matcher(trimmed).matches()) {
                    return Token.refused("auth-extra-groups holds \"" + trimmed + "\", which is not system:bootstrappers:...");
                }
                groups.add(trimmed);
            }
        }
        return new Token(new BootstrapToken(id, tokenSecret, expiration, List.copyOf(groups)), null);
    }

    /** A Secret's token, or the reason it has none. */
    record Token(BootstrapToken token, String refusal) {
        static Token refused(String why) {
            return new Token(null, why);
        }
    }

    /** Whether {@code presented} is this token's secret: compared in constant time. */
    boolean secretMatches(String presented) {
        return MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    boolean expiredAt(Instant now) {
        return expiration != null && !now.isBefore(expiration);
    }

    /** The user name of the token: {@code system:bootstrap:<id>}. */
    String userName() {
        return USER_PREFIX + id;
    }

    /** A data value, base64-decoded as Secrets hold them; null if absent or not base64. */
    private static String text(JsonNode data, String key) {
        JsonNode value = data.path(key);
        if (!value.isTextual()) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
