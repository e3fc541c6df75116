package io.kubundle.controller.job.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The delay before a Job replaces failed pods, as Kubernetes' Job controller has it: after
 * {@code n} failures since the last success, {@code base * 2^(n-1)} from the last failure,
 * capped at {@code max} (10 s and 6 min in Kubernetes).
 */
record Backoff(Duration base, Duration max) {
    static final Backoff KUBERNETES = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(6));

    /** The delay after {@code failures} consecutive failures (zero for none). */
    Duration delay(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        Duration delay = base;
        for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** How long creation must still wait, given the Job's finished pods; zero if it need not. */
    Duration remaining(List<Pod> failed, List<Pod> succeeded, Instant now) {
        Instant lastSuccess = succeeded.stream().map(JobPlan::finishTime).max(Instant::compareTo).orElse(Instant.MIN);
        int failures = 0;
        Instant lastFailure = null;
        for (Pod pod : failed) {
            Instant at = JobPlan.finishTime(pod);
            if (at.isAfter(lastSuccess)) {
                failures++;
                lastFailure = lastFailure == null || at.isAfter(lastFailure) ? at : lastFailure;
            }
        }
        if (failures == 0) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, lastFailure.plus(delay(failures)));
        return left.isNegative() || left.isZero() ? Duration.ZERO : left;
    }
}
