/**
 * Cluster DNS as the kubelet sees it: where pods send their queries and what goes in their
 * {@code resolv.conf}.
 *
 * <p>A DNS plugin registers one {@link io.kubundle.api.dns.ClusterDns} while it serves, with the
 * service property {@value io.kubundle.api.dns.ClusterDns#ADDRESS_PROPERTY} set to its address, and
 * unregisters it when it stops. The kubelet tracks it dynamically: a pod with
 * {@code dnsPolicy: ClusterFirst} created while one is registered gets
 * {@code nameserver <address()>}, {@code search <searches(namespace)>} and
 * {@code options <options()>}.
 */
@Export
@Version("1.0.0")
package io.kubundle.api.dns;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
