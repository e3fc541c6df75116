package io.kubundle.controller.job.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ExpectationsTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    @Test
    void unsatisfiedUntilTheCacheShowsTheCreationsAndDeletions() {
        Expectations expectations = new Expectations();
        assertTrue(expectations.satisfied("job", name -> false, name -> false, NOW));
        expectations.expectCreation("job", "a", NOW);
        expectations.expectDeletion("job", "b", NOW);
        assertFalse(expectations.satisfied("job", name -> false, name -> false, NOW), "neither seen");
        assertFalse(expectations.satisfied("job", Set.of("a")::contains, name -> false, NOW), "a seen, b not gone yet");
        assertTrue(expectations.satisfied("job", name -> false, name -> true, NOW), "b gone; a seen before");
        assertTrue(expectations.satisfied("job", name -> false, name -> false, NOW), "what was seen is forgotten");
    }

    @Test
    void failedCallsAndExpiryReleaseTheOwner() {
        Expectations expectations = new Expectations();
        expectations.expectCreation("job", "a", NOW);
        expectations.forget("job", "a");
        assertTrue(expectations.satisfied("job", name -> false, name -> false, NOW));
        expectations.expectCreation("job", "b", NOW);
        assertFalse(expectations.satisfied("job", name -> false, name -> false, NOW.plus(Expectations.EXPIRY).minusSeconds(1)));
        assertTrue(expectations.satisfied("job", name -> false, name -> false, NOW.plus(Expectations.EXPIRY)));
        expectations.expectCreation("other", "c", NOW);
        expectations.remove("other");
        assertTrue(expectations.satisfied("other", name -> false, name -> false, NOW));
    }
}
