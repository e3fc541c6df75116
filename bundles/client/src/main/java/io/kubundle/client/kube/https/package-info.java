/**
 * The HTTPS transport and kubeconfig files: how nodes and tools reach the API server, with the
 * server's CA and a client certificate or bearer token from a kubeconfig.
 */
@Export
@Version("1.0.0")
package io.kubundle.client.kube.https;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
