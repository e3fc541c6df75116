/** Helpers shared by the in-framework and the whole-process tests. */
@Export
@Version("1.0.0")
package io.kubundle.itests.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
