/**
 * A client for the admin endpoint of a running Kubundle process: list, install, update,
 * uninstall and swap its plugin bundles, and read its health.
 *
 * <p>{@link io.kubundle.client.admin.AdminClient#forDataDir(java.nio.file.Path)} finds the
 * endpoint and its token through the files the process writes in its data directory.
 */
@Export
@Version("1.0.0")
package io.kubundle.client.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
