package io.kubundle.api.health;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Something a component reports about itself beyond "its bundle is active and its references are
 * satisfied". The admin bundle asks every registered check each time it builds the health
 * report; a check with problems makes the process "degraded" (so {@code kubundle bundles list}
 * exits 1 and prints them), and a process with problems at start is not "ready".
 *
 * <p>Contract: {@link #problems()} is called on any thread, possibly concurrently, and must
 * return quickly (it reads state the component keeps, it does not compute or call out).
 */
@ConsumerType
public interface HealthCheck {
    /** What the problems are about, such as {@code scheduler}: shown as the component in the report. */
    String name();

    /** One line per problem, empty when all is well. */
    List<String> problems();
}
