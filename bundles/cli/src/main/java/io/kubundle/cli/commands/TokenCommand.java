package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.TabWriter;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kubundle token create|list|delete}: bootstrap tokens, as {@code kubeadm token} manages
 * them: Secrets {@code kube-system/bootstrap-token-<id>} of type {@code bootstrap.kubernetes.io/token}
 * that a joining node presents as {@code --token <id>.<secret>} (see the security bundle).
 */
@Command(name = "token", description = "Create, list and delete bootstrap tokens, which nodes join the cluster with.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Delete.class})
final class TokenCommand {
    static final String NAMESPACE = "kube-system";
    static final String TYPE = "bootstrap.kubernetes.io/token";
    static final String NAME_PREFIX = "bootstrap-token-";
    /** The group kubeadm gives the tokens it makes for joining nodes. */
    static final String DEFAULT_GROUP = "system:bootstrappers:kubeadm:default-node-token";
    static final ResourceKind<ObjectNode> SECRETS = ResourceKind.of("v1", "Secret", "secrets", true, ObjectNode.class);
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})(\\.([a-z0-9]{16}))?$");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(h|m|s)");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenCommand() {
    }

    @Command(name = "create", description = {"Create a bootstrap token and print it: <id>.<secret>.",
        "A node joins with: kubundle node --server URL --token TOKEN --ca-file CA"})
    static final class Create extends KubeCommand {
        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h",
                description = "How long the token is valid, such as 24h or 90m; 0 for ever (default: 24h).")
        String ttl;

        @Option(names = "--description", paramLabel = "TEXT", description = "What the token is for, shown by token list.")
        String description;

        @Option(names = "--groups", paramLabel = "GROUP", split = ",",
                description = "Extra groups of the token's user, each system:bootstrappers:... (default: " + DEFAULT_GROUP + ").")
        List<String> groups = new ArrayList<>(List.of(DEFAULT_GROUP));

        @Override
        int run() throws IOException, ApiStatusException, CommandException {
            Duration validity = parseTtl(ttl);
            String token = newToken();
            secrets().create(secret(token, validity, description, groups, Instant.now()));
            out().println(token);
            return 0;
        }

        private ResourceClient<ObjectNode> secrets() throws CommandException {
            return kube.cluster().client().resources(SECRETS);
        }
    }

    @Command(name = "list", description = "List the bootstrap tokens: TOKEN TTL EXPIRES USAGES DESCRIPTION EXTRA GROUPS.")
    static final class ListTokens extends KubeCommand {
        @Override
        int run() throws IOException, ApiStatusException, CommandException {
            List<ObjectNode> secrets = kube.cluster().client().resources(SECRETS).list(NAMESPACE, ListOptions.ALL).items();
            StringBuilder table = new StringBuilder("TOKEN\tTTL\tEXPIRES\tUSAGES\tDESCRIPTION\tEXTRA GROUPS\n");
            Instant now = Instant.now();
            for (ObjectNode secret : secrets) {
                if (TYPE.equals(secret.path("type").asText())) {
                    table.append(String.join("\t", row(secret, now))).append('\n');
                }
            }
            out().print(TabWriter.align(table.toString()));
            out().flush();
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete bootstrap tokens, named by id or whole token; nodes can no longer join with them.")
    static final class Delete extends KubeCommand {
        @Parameters(paramLabel = "TOKEN", arity = "1..*", description = "A token id (6 characters) or a whole token.")
        List<String> tokens;

        @Override
        int run() throws IOException, ApiStatusException, CommandException {
            ResourceClient<ObjectNode> secrets = kube.cluster().client().resources(SECRETS);
            for (String token : tokens) {
                Matcher matcher = TOKEN.matcher(token);
                if (!matcher.matches()) {
                    report(new CommandException("\"" + token + "\" is neither a token id ([a-z0-9]{6}) nor a token"
                            + " ([a-z0-9]{6}.[a-z0-9]{16})"));
                    continue;
                }
                String id = matcher.group(1);
                if (secrets.delete(NAMESPACE, NAME_PREFIX + id)) {
                    out().println("bootstrap token \"" + id + "\" deleted");
                } else {
                    report(new CommandException("bootstrap token \"" + id + "\" not found"));
                }
            }
            return 0;
        }
    }

    /** A new token, {@code <id>.<secret>}, from a secure random source. */
    static String newToken() {
        return random(6) + "." + random(16);
    }

    private static String random(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    /** A Go-style duration of hours, minutes and seconds ({@code 24h}, {@code 1h30m}); {@code 0}: no expiry (null). */
    static Duration parseTtl(String text) throws CommandException {
        if (text.equals("0") || text.equals("0s")) {
            return null;
        }
        Matcher part = DURATION_PART.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
            });
            end = part.end();
        }
        if (end == 0 || end != text.length()) {
            throw new CommandException("--ttl: \"" + text + "\" is not a duration such as 24h, 90m or 1h30m");
        }
        return total;
    }

    /** The Secret of a token, as kubeadm writes it; {@code validity} null for no expiry. */
    static ObjectNode secret(String token, Duration validity, String description, List<String> groups, Instant now)
            throws CommandException {
        Matcher matcher = TOKEN.matcher(token);
        if (!matcher.matches() || matcher.group(3) == null) {
            throw new CommandException("not a bootstrap token: " + token);
        }
        for (String group : groups) {
            if (!group.matches("system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]")) {
                throw new CommandException("--groups: \"" + group + "\" must start with system:bootstrappers:");
            }
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put("token-id", matcher.group(1));
        data.put("token-secret", matcher.group(3));
        data.put("usage-bootstrap-authentication", "true");
        data.put("usage-bootstrap-signing", "true");
        if (!groups.isEmpty()) {
            data.put("auth-extra-groups", String.join(",", groups));
        }
        if (validity != null) {
            data.put("expiration", now.plus(validity).truncatedTo(ChronoUnit.SECONDS).toString());
        }
        if (description != null && !description.isEmpty()) {
            data.put("description", description);
        }
        ObjectNode secret = JsonNodeFactory.instance.objectNode();
        secret.put("apiVersion", "v1").put("kind", "Secret").put("type", TYPE);
        secret.putObject("metadata").put("name", NAME_PREFIX + matcher.group(1)).put("namespace", NAMESPACE);
        ObjectNode encoded = secret.putObject("data");
        data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return secret;
    }

    /** A row of {@code token list}, as kubeadm prints it. */
    static List<String> row(JsonNode secret, Instant now) {
        JsonNode data = secret.path("data");
        String expiration = text(data, "expiration");
        String ttl = "<forever>";
        String expires = "<never>";
        if (!expiration.isEmpty()) {
            expires = expiration;
            try {
                Duration left = Duration.between(now, Instant.parse(expiration));
                ttl = left.isNegative() ? "<invalid>" : left.toHours() > 0 ? left.toHours() + "h" : left.toMinutes() + "m";
            } catch (java.time.format.DateTimeParseException e) {
                ttl = "<invalid>";
            }
        }
        List<String> usages = new ArrayList<>();
        data.fieldNames().forEachRemaining(key -> {
            if (key.startsWith("usage-bootstrap-") && text(data, key).equals("true")) {
                usages.add(key.substring("usage-bootstrap-".length()));
            }
        });
        String description = text(data, "description");
        String groups = text(data, "auth-extra-groups");
        return List.of(text(data, "token-id") + "." + text(data, "token-secret"), ttl, expires, usages.isEmpty() ? "<none>" : String.join(",", usages),
                description.isEmpty() ? "<none>" : description, groups.isEmpty() ? "<none>" : groups);
    }

    private static String text(JsonNode data, String key) {
        try {
            return new String(Base64.getDecoder().decode(data.path(key).asText("")), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
