package io.kubundle.client.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void exponentialDoublesPerKeyUpToTheCapAndForgets() {
        RateLimiter<String> limiter = RateLimiter.exponential(Duration.ofMillis(5), Duration.ofMillis(30));
        assertEquals(Duration.ofMillis(5), limiter.when("a"));
        assertEquals(Duration.ofMillis(10), limiter.when("a"));
        assertEquals(Duration.ofMillis(20), limiter.when("a"));
        assertEquals(Duration.ofMillis(30), limiter.when("a"), "capped");
        assertEquals(Duration.ofMillis(5), limiter.when("b"), "each key has its own count");
        assertEquals(4, limiter.retries("a"));
        limiter.forget("a");
        assertEquals(0, limiter.retries("a"));
        assertEquals(Duration.ofMillis(5), limiter.when("a"));
    }

    @Test
    void bucketLetsABurstThroughThenSpacesKeys() {
        RateLimiter<String> limiter = RateLimiter.bucket(10, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(Duration.ZERO, limiter.when("k" + i), "within the burst");
        }
        Duration fourth = limiter.when("k3");
        Duration fifth = limiter.when("k4");
        assertTrue(fourth.toMillis() > 50 && fourth.toMillis() <= 100, "the next token in about 100 ms: " + fourth);
        assertTrue(fifth.minus(fourth).toMillis() >= 95, "then one every 100 ms: " + fifth);
    }

    @Test
    void maxTakesTheLongerDelay() {
        RateLimiter<String> limiter = RateLimiter.max(RateLimiter.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10)),
                RateLimiter.bucket(1000, 100));
        assertEquals(Duration.ofSeconds(1), limiter.when("a"));
        assertEquals(1, limiter.retries("a"));
    }
}
