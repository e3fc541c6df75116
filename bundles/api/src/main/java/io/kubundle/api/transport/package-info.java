/**
 * The transport SPI: how a client reaches the Kubernetes API. The client bundle speaks HTTPS to
 * a remote server itself; the API server registers an in-process {@link
 * io.kubundle.api.transport.ApiTransport} service (property {@code kubundle.transport=in-process})
 * so that components in the master's JVM call it directly, through the same routing, admission,
 * validation and watch code as an HTTPS request, without a socket or TLS.
 */
@Export
@Version("1.0.0")
package io.kubundle.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
