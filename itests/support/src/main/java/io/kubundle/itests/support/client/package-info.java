/**
 * The client conformance suite: what the typed client, informers and watches must do, whichever
 * transport carries them. Each transport's test extends {@link io.kubundle.itests.support.client.ClientConformance}.
 */
@Export
@Version("1.0.0")
package io.kubundle.itests.support.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
