package io.kubundle.kubelet.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void firstRetryIsImmediateThenTenSecondsDoublingToFiveMinutes() {
        Backoff backoff = new Backoff();
        assertEquals(Duration.ZERO, backoff.remaining("c", t0, t0));
        Instant now = t0;
        Duration[] expected = {Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40), Duration.ofSeconds(80),
            Duration.ofSeconds(160), Duration.ofSeconds(300), Duration.ofSeconds(300)};
        for (Duration delay : expected) {
            backoff.retried("c", now);
            assertEquals(delay, backoff.delay("c", now));
            assertEquals(delay, backoff.remaining("c", now, now));
            assertEquals(delay.minusSeconds(3), backoff.remaining("c", now, now.plusSeconds(3)));
            assertEquals(Duration.ZERO, backoff.remaining("c", now, now.plus(delay)));
            now = now.plus(delay);
        }
    }

    @Test
    void keysAreIndependentAndForgottenAfterTwiceTheMaximum() {
        Backoff backoff = new Backoff();
        backoff.retried("pod1/a", t0);
        backoff.retried("pod1/a", t0);
        backoff.retried("pod2/a", t0);
        assertEquals(Duration.ofSeconds(20), backoff.delay("pod1/a", t0));
        assertEquals(Duration.ofSeconds(10), backoff.delay("pod2/a", t0));
        assertEquals(Duration.ZERO, backoff.delay("pod1/a", t0.plus(Duration.ofMinutes(11))));
        backoff.forgetPrefix("pod2/");
        assertEquals(Duration.ZERO, backoff.delay("pod2/a", t0));
    }
}
