package io.kubundle.controller.cronjob.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A standard cron schedule, as Kubernetes' CronJob reads it: five fields (minute, hour, day of
 * month, month, day of week) with {@code *}, {@code ?}, lists, ranges, steps and month and day
 * names, or a macro ({@code @yearly}, {@code @annually}, {@code @monthly}, {@code @weekly},
 * {@code @daily}, {@code @midnight}, {@code @hourly}). When both day fields are restricted a day
 * matching either runs (Vixie cron's rule). Times are wall-clock times in a zone: a time that a
 * daylight-saving jump skips does not run that day, and one that the clock passes twice runs once.
 */
final class CronSchedule {
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
    /** Schedules that never match (30 February) give up after this many years. */
    private static final int YEARS_AHEAD = 5;

    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek;
    private final boolean anyDayOfMonth;
    private final boolean anyDayOfWeek;

    private CronSchedule(String[] fields) {
        minutes = field(fields[0], 0, 59, List.of(), "minute");
        hours = field(fields[1], 0, 23, List.of(), "hour");
        daysOfMonth = field(fields[2], 1, 31, List.of(), "day of month");
        months = field(fields[3], 1, 12, MONTHS, "month");
        BitSet week = field(fields[4], 0, 7, DAYS, "day of week");
        if (week.get(7)) {
            week.set(0);
            week.clear(7);
        }
        daysOfWeek = week;
        anyDayOfMonth = unrestricted(fields[2]);
        anyDayOfWeek = unrestricted(fields[4]);
    }

    private static boolean unrestricted(String field) {
        return field.equals("*") || field.equals("?") || field.equals("*/1");
    }

    /** Parses a schedule; throws IllegalArgumentException saying what is wrong. */
    static CronSchedule parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty schedule");
        }
        String spec = text.trim();
        if (spec.startsWith("@")) {
            String expanded = MACROS.get(spec.toLowerCase(Locale.ROOT));
            if (expanded == null) {
                throw new IllegalArgumentException("unrecognized descriptor: " + spec);
            }
            spec = expanded;
        }
        String[] fields = spec.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("expected exactly 5 fields, found " + fields.length + ": " + text);
        }
        return new CronSchedule(fields);
    }

    private static BitSet field(String text, int min, int max, List<String> names, String what) {
        BitSet bits = new BitSet();
        for (String part : text.split(",")) {
            int slash = part.indexOf('/');
            String range = slash < 0 ? part : part.substring(0, slash);
            int step = slash < 0 ? 1 : number(part.substring(slash + 1), List.of(), 0, what);
            int from;
            int to;
            if (range.equals("*") || range.equals("?")) {
                from = min;
                to = max == 7 ? 6 : max;
            } else {
                int dash = range.indexOf('-');
                from = number(dash < 0 ? range : range.substring(0, dash), names, min, what);
                to = dash < 0 ? (slash < 0 ? from : max) : number(range.substring(dash + 1), names, min, what);
            }
            if (step <= 0 || from < min || to > max || from > to) {
                throw new IllegalArgumentException("invalid " + what + " field: " + part);
            }
            for (int value = from; value <= to; value += step) {
                bits.set(value);
            }
        }
        return bits;
    }

    private static int number(String text, List<String> names, int offset, String what) {
        int named = names.indexOf(text.toLowerCase(Locale.ROOT));
        if (named >= 0) {
            return named + offset;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + what + " value: " + text);
        }
    }

    /** The first time strictly after {@code after} that the schedule matches in the zone, or null if none comes. */
    Instant next(Instant after, ZoneId zone) {
        LocalDateTime time = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        int lastYear = time.getYear() + YEARS_AHEAD;
        while (time.getYear() <= lastYear) {
            if (!months.get(time.getMonthValue())) {
                time = time.withDayOfMonth(1).toLocalDate().atStartOfDay().plusMonths(1);
            } else if (!dayMatches(time)) {
                time = time.toLocalDate().atStartOfDay().plusDays(1);
            } else if (!hours.get(time.getHour())) {
                time = time.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!minutes.get(time.getMinute())) {
                time = time.plusMinutes(1);
            } else if (zone.getRules().getValidOffsets(time).isEmpty()) {
                // skipped by a daylight-saving jump
                time = time.plusMinutes(1);
            } else {
                Instant instant = time.atZone(zone).toInstant();
                if (instant.isAfter(after)) {
                    return instant;
                }
                // the clock went back: this wall-clock time already came
                time = time.plusMinutes(1);
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDateTime time) {
        boolean dom = daysOfMonth.get(time.getDayOfMonth());
        boolean dow = daysOfWeek.get(time.getDayOfWeek().getValue() % 7);
        return anyDayOfMonth || anyDayOfWeek ? dom && dow : dom || dow;
    }
}
