package io.kubundle.controller.nodelifecycle.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's {@code time.ParseDuration} syntax, as Kubernetes' flags take it: {@code 40s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}. */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    /** The duration {@code text} names; {@code 0} alone is allowed, as in Go. */
    static Duration parse(String text) {
        String value = text == null ? "" : text.strip();
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = PART.matcher(value);
        long nanos = 0;
        int at = 0;
        while (at < value.length() && matcher.find(at) && matcher.start() == at) {
            double number = Double.parseDouble(matcher.group(1));
            nanos += Math.round(number * switch (matcher.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            });
            at = matcher.end();
        }
        if (value.isEmpty() || at != value.length()) {
            throw new IllegalArgumentException("not a duration (like 40s, 1m or 1m30s): \"" + text + "\"");
        }
        return Duration.ofNanos(nanos);
    }
}
