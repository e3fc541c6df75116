/**
 * Object metadata helpers shared by the API server, the client and controllers: label and field
 * selectors with Kubernetes' syntax and meaning, and node roles.
 */
@Export
@Version("1.2.0")
package io.kubundle.api.meta;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
