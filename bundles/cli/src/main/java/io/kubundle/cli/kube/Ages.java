package io.kubundle.cli.kube;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Kubernetes' short human durations ({@code 45s}, {@code 3m20s}, {@code 5h}, {@code 12d}), as kubectl shows ages. */
public final class Ages {
    private Ages() {
    }

    /** The age of a timestamp now, or {@code <unknown>}. */
    public static String since(String timestamp, Instant now) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return human(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "<unknown>";
        }
    }

    public static String human(Duration d) {
        if (d.compareTo(Duration.ofSeconds(-1)) < 0) {
            return "<invalid>";
        }
        long seconds = Math.max(0, d.toSeconds());
        long minutes = seconds / 60;
        long hours = minutes / 60;
        if (seconds < 120) {
            return seconds + "s";
        }
        if (minutes < 10) {
            return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        if (hours < 8) {
            return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        if (hours < 24 * 8) {
            return hours % 24 == 0 ? hours / 24 + "d" : hours / 24 + "d" + hours % 24 + "h";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        }
        if (hours < 24 * 365 * 8) {
            long days = hours / 24;
            return days % 365 == 0 ? days / 365 + "y" : days / 365 + "y" + days % 365 + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
