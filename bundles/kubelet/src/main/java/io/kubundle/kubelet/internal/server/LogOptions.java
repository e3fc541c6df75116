package io.kubundle.kubelet.internal.server;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * The query of {@code GET /containerLogs/...}, as the API server passes {@code PodLogOptions} on.
 *
 * @param follow keep streaming until the container exits
 * @param tailLines how many of the file's last lines to start with, or -1 for all
 * @param since leave out lines written before, or null
 * @param timestamps start each line with its RFC3339Nano timestamp and a space
 * @param previous the container's previous instance
 * @param limitBytes stop after this many bytes, or -1 for no limit
 */
record LogOptions(boolean follow, long tailLines, Instant since, boolean timestamps, boolean previous, long limitBytes) {
    /** What {@code kubectl attach} shows: the output from now on, until the container exits. */
    static final LogOptions ATTACH = new LogOptions(true, 0, null, false, false, -1);

    /**
     * Reads the parameters; {@code sinceSeconds} counts back from {@code clock}'s now.
     *
     * @throws IllegalArgumentException naming the parameter that is not valid
     */
    static LogOptions parse(Map<String, List<String>> query, Clock clock) {
        Instant since = null;
        long sinceSeconds = number(query, "sinceSeconds", -1);
        if (sinceSeconds >= 0) {
            since = clock.instant().minusSeconds(sinceSeconds);
        }
        String sinceTime = first(query, "sinceTime");
        if (sinceTime != null && !sinceTime.isEmpty()) {
            try {
                since = OffsetDateTime.parse(sinceTime).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("sinceTime must be an RFC3339 time: " + sinceTime);
            }
        }
        return new LogOptions(flag(query, "follow"), number(query, "tailLines", -1), since, flag(query, "timestamps"),
                flag(query, "previous"), number(query, "limitBytes", -1));
    }

    static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Go's strconv.ParseBool, as Kubernetes reads these flags; a bare {@code ?follow} is true too. */
    static boolean flag(Map<String, List<String>> query, String name) {
        String value = first(query, name);
        return value != null && (value.isEmpty() || value.equals("1") || value.equalsIgnoreCase("t") || value.equalsIgnoreCase("true"));
    }

    private static long number(Map<String, List<String>> query, String name, long absent) {
        String value = first(query, name);
        if (value == null || value.isEmpty()) {
            return absent;
        }
        try {
            long number = Long.parseLong(value);
            if (number < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number: " + value);
        }
    }
}
