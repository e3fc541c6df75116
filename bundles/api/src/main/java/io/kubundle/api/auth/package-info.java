/**
 * Authentication and authorization of API requests, and the cluster's certificates.
 *
 * <p>The API server builds {@link io.kubundle.api.auth.Credentials} for every request and asks
 * each {@link io.kubundle.api.auth.Authenticator} in turn who made it; it then asks each
 * {@link io.kubundle.api.auth.Authorizer} in turn whether that user may do what the request
 * asks. Both are OSGi services that plugins may add (OIDC, webhook, RBAC, ...) while the system
 * runs. {@link io.kubundle.api.auth.ClusterCertificates} is the cluster's certificate authority
 * and the API server's serving certificate.
 */
@Export
@Version("1.0.0")
package io.kubundle.api.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
