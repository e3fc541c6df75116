/**
 * Health checks: a component that can be running and still not doing its job (a scheduler whose
 * profile names a plugin that is not installed) registers a {@link io.kubundle.api.health.HealthCheck}
 * service; its problems join the process's health report ({@code kubundle bundles list}, the
 * admin endpoint's {@code /health}, the launcher's readiness).
 */
@Export
@Version("1.0.0")
package io.kubundle.api.health;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
