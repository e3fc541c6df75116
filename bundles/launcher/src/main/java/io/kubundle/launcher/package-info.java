/**
 * Starts Kubundle: embeds Apache Felix and runs the bundles of a role. Used by the CLI's
 * {@code up}, {@code master} and {@code node} commands and by tests that embed a whole process.
 */
@Export
@Version("1.0.0")
package io.kubundle.launcher;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
