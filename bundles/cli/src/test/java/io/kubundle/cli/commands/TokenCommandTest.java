package io.kubundle.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.CommandException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCommandTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void tokensAreSixAndSixteenRandomCharacters() {
        String token = TokenCommand.newToken();
        assertTrue(token.matches("[a-z0-9]{6}\\.[a-z0-9]{16}"), token);
        assertNotEquals(token, TokenCommand.newToken());
    }

    @Test
    void ttlsAreGoDurations() throws Exception {
        assertEquals(Duration.ofHours(24), TokenCommand.parseTtl("24h"));
        assertEquals(Duration.ofMinutes(90), TokenCommand.parseTtl("1h30m"));
        assertEquals(Duration.ofSeconds(45), TokenCommand.parseTtl("45s"));
        assertNull(TokenCommand.parseTtl("0"), "no expiry");
        for (String bad : List.of("", "24", "h", "1d", "24h junk", "-1h")) {
            assertThrows(CommandException.class, () -> TokenCommand.parseTtl(bad), bad);
        }
    }

    @Test
    void theSecretIsWhatKubeadmWritesAndListReadsItBack() throws Exception {
        ObjectNode secret = TokenCommand.secret("abcdef.0123456789abcdef", Duration.ofHours(2), "for n1",
                List.of(TokenCommand.DEFAULT_GROUP), NOW);
        assertEquals("bootstrap-token-abcdef", secret.at("/metadata/name").asText());
        assertEquals("kube-system", secret.at("/metadata/namespace").asText());
        assertEquals("bootstrap.kubernetes.io/token", secret.path("type").asText());
        assertEquals("0123456789abcdef", decode(secret, "token-secret"));
        assertEquals("true", decode(secret, "usage-bootstrap-authentication"));
        assertEquals("2026-12-02T12:00:00Z", decode(secret, "expiration"));
        assertEquals(List.of("abcdef.0123456789abcdef", "2h", "2026-12-02T12:00:00Z", "authentication,signing", "for n1",
                TokenCommand.DEFAULT_GROUP), TokenCommand.row(secret, NOW));
        ObjectNode forever = TokenCommand.secret("abcdef.0123456789abcdef", null, null, List.of(), NOW);
        assertTrue(forever.at("/data/expiration").isMissingNode());
        assertEquals("<forever>", TokenCommand.row(forever, NOW).get(1));
        assertThrows(CommandException.class, () -> TokenCommand.secret("abcdef.0123456789abcdef", null, null,
                List.of("system:masters"), NOW));
    }

    private static String decode(ObjectNode secret, String key) {
        return new String(Base64.getDecoder().decode(secret.path("data").path(key).asText()), StandardCharsets.UTF_8);
    }
}
