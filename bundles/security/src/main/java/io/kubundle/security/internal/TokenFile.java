package io.kubundle.security.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.kubundle.api.auth.UserInfo;

/**
 * The users of a static token file in the format of kube-apiserver's {@code --token-auth-file}:
 * CSV lines of {@code token,user,uid[,"group1,group2,..."]}. Unlike kube-apiserver, a bad line is
 * reported and skipped rather than failing the whole file, so one typo does not lock everyone out.
 */
final class TokenFile {
    static final TokenFile EMPTY = new TokenFile(List.of(), List.of());

    /** Tokens are held as digests: compared in constant time, and not kept in memory as text. */
    private record Entry(byte[] digest, UserInfo user) {
    }

    private final List<Entry> entries;
    private final List<String> problems;

    private TokenFile(List<Entry> entries, List<String> problems) {
        this.entries = entries;
        this.problems = problems;
    }

    /**
     * Parses a token file's content.
     *
     * @param source how problems name the file
     */
    static TokenFile parse(String content, String source) {
        Map<String, Integer> lineOfToken = new LinkedHashMap<>();
        Map<String, UserInfo> users = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> lines = content.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            List<String> fields;
            try {
                fields = fields(line);
            } catch (IllegalArgumentException e) {
                problems.add(source + " line " + number + ": " + e.getMessage() + "; line skipped");
                continue;
            }
            if (fields.size() < 3) {
                problems.add(source + " line " + number
                        + ": must have at least 3 columns (token, user name, user uid), found " + fields.size()
                        + "; line skipped");
                continue;
            }
            String token = fields.get(0);
            if (token.isEmpty()) {
                problems.add(source + " line " + number + ": empty token; line skipped");
                continue;
            }
            if (fields.get(1).isEmpty()) {
                problems.add(source + " line " + number + ": empty user name; line skipped");
                continue;
            }
            Integer previous = lineOfToken.put(token, number);
            if (previous != null) {
                // the later line wins, as in kube-apiserver
                problems.add(source + " line " + number + ": the same token as line " + previous + "; this line wins");
            }
            users.put(token, new UserInfo(fields.get(1), fields.get(2), groups(fields), Map.of()));
        }
        List<Entry> entries = new ArrayList<>();
        users.forEach((token, user) -> entries.add(new Entry(digest(token), user)));
        return new TokenFile(List.copyOf(entries), List.copyOf(problems));
    }

    /** The user of a token. Every entry is compared, so the time taken tells nothing about the tokens. */
    Optional<UserInfo> find(String token) {
        byte[] digest = digest(token);
        UserInfo found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest, digest)) {
                found = entry.user;
            }
        }
        return Optional.ofNullable(found);
    }

    int size() {
        return entries.size();
    }

    /** The lines that were skipped or overridden, and why, each naming the file and line. */
    List<String> problems() {
        return problems;
    }

    private static List<String> groups(List<String> fields) {
        List<String> groups = new ArrayList<>();
        if (fields.size() >= 4) {
            for (String group : fields.get(3).split(",")) {
                if (!group.isBlank()) {
                    groups.add(group.strip());
                }
            }
        }
        if (!groups.contains(UserInfo.ALL_AUTHENTICATED)) {
            groups.add(UserInfo.ALL_AUTHENTICATED);
        }
        return groups;
    }

    /**
     * One CSV record as RFC 4180 and Go's encoding/csv read it: a field in double quotes may hold
     * commas and {@code ""} for a quote; a quote elsewhere in a field is an error.
     */
    static List<String> fields(String line) {
        List<String> fields = new ArrayList<>();
        int i = 0;
        while (true) {
            StringBuilder field = new StringBuilder();
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new IllegalArgumentException("unterminated quoted field");
                    }
                    char c = line.charAt(i++);
                    if (c != '"') {
                        field.append(c);
                    } else if (i < line.length() && line.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        break;
                    }
                }
                if (i < line.length() && line.charAt(i) != ',') {
                    throw new IllegalArgumentException(
                            "unexpected text after a closing quote in field " + (fields.size() + 1));
                }
            } else {
                while (i < line.length() && line.charAt(i) != ',') {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        throw new IllegalArgumentException("a quote inside unquoted field " + (fields.size() + 1));
                    }
                    field.append(c);
                }
            }
            fields.add(field.toString());
            if (i >= line.length()) {
                return fields;
            }
            i++; // the comma
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
