package io.kubundle.controller.cronjob.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static Instant next(String schedule, String after) {
        return CronSchedule.parse(schedule).next(Instant.parse(after), ZoneOffset.UTC);
    }

    @Test
    void everyMinuteAndSteps() {
        assertEquals(Instant.parse("2024-05-01T12:01:00Z"), next("*/1 * * * *", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-05-01T12:01:00Z"), next("* * * * *", "2024-05-01T12:00:30Z"));
        assertEquals(Instant.parse("2024-05-01T12:15:00Z"), next("*/15 * * * *", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-05-01T12:05:00Z"), next("5/20 * * * *", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-05-01T12:45:00Z"), next("5/20 * * * *", "2024-05-01T12:25:00Z"));
    }

    @Test
    void rangesListsAndNames() {
        // 2024-05-01 is a Wednesday
        assertEquals(Instant.parse("2024-05-03T09:30:00Z"), next("30 9 * * fri", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-05-01T17:00:00Z"), next("0 9-17/8 * * MON-FRI", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-07-01T00:00:00Z"), next("0 0 1 jul,dec *", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-05-05T00:00:00Z"), next("0 0 * * 7", "2024-05-01T12:00:00Z"), "7 is Sunday too");
        assertEquals(Instant.parse("2024-05-02T00:00:00Z"), next("0 0 2,15 * *", "2024-05-01T12:00:00Z"));
    }

    @Test
    void restrictedDayOfMonthAndWeekMatchEither() {
        // the 13th or a Friday: Friday 3 May comes first
        assertEquals(Instant.parse("2024-05-03T00:00:00Z"), next("0 0 13 * 5", "2024-05-01T12:00:00Z"));
        // the 13th on any day of the week
        assertEquals(Instant.parse("2024-05-13T00:00:00Z"), next("0 0 13 * *", "2024-05-01T12:00:00Z"));
    }

    @Test
    void macros() {
        assertEquals(Instant.parse("2024-05-01T13:00:00Z"), next("@hourly", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-05-02T00:00:00Z"), next("@daily", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-05-02T00:00:00Z"), next("@midnight", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-05-05T00:00:00Z"), next("@weekly", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2024-06-01T00:00:00Z"), next("@monthly", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), next("@yearly", "2024-05-01T12:00:00Z"));
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), next("@annually", "2024-05-01T12:00:00Z"));
    }

    @Test
    void leapDaysAndImpossibleDates() {
        assertEquals(Instant.parse("2028-02-29T00:00:00Z"), next("0 0 29 2 *", "2024-03-01T00:00:00Z"));
        assertNull(next("0 0 30 2 *", "2024-03-01T00:00:00Z"));
    }

    @Test
    void rejectsWhatCronDoesNot() {
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * * *"));
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("60 * * * *"));
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * 0 * *"));
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("*/0 * * * *"));
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("5-1 * * * *"));
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * * foo *"));
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("@reboot"));
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse(""));
    }

    @Test
    void wallClockTimesInAZoneAcrossDaylightSaving() {
        ZoneId newYork = ZoneId.of("America/New_York");
        CronSchedule daily = CronSchedule.parse("30 2 * * *");
        // 10 March 2024: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day
        assertEquals(Instant.parse("2024-03-09T07:30:00Z"), daily.next(Instant.parse("2024-03-09T00:00:00Z"), newYork));
        assertEquals(Instant.parse("2024-03-11T06:30:00Z"), daily.next(Instant.parse("2024-03-09T07:30:00Z"), newYork));
        // 3 November 2024: 02:00 EDT goes back to 01:00 EST; 01:30 comes twice and runs once
        CronSchedule halfPastOne = CronSchedule.parse("30 1 * * *");
        Instant first = halfPastOne.next(Instant.parse("2024-11-03T04:00:00Z"), newYork);
        assertEquals(Instant.parse("2024-11-03T05:30:00Z"), first);
        assertEquals(Instant.parse("2024-11-04T06:30:00Z"), halfPastOne.next(first, newYork));
        // hourly keeps running through the jump forward: 01:00 EST, then 03:00 EDT
        CronSchedule hourly = CronSchedule.parse("0 * * * *");
        assertEquals(Instant.parse("2024-03-10T07:00:00Z"), hourly.next(Instant.parse("2024-03-10T06:00:00Z"), newYork));
    }
}
