/**
 * What the service proxies (proxy-iptables, proxy-nftables) share: the model they sync to
 * ({@link io.kubundle.proxy.support.ServicePort}, {@link io.kubundle.proxy.support.Endpoint},
 * {@link io.kubundle.proxy.support.Snapshot}, read from Services and EndpointSlices by {@link
 * io.kubundle.proxy.support.ServiceModel}), the informers that keep it ({@link
 * io.kubundle.proxy.support.ClusterWatch}), the sync thread with coalescing, full resyncs and
 * back-off ({@link io.kubundle.proxy.support.SyncLoop}), one owner per network namespace ({@link
 * io.kubundle.proxy.support.Ownership}), short host commands optionally in another namespace
 * ({@link io.kubundle.proxy.support.HostCommands}), the common options ({@link io.kubundle.proxy.support.ProxyOptions}), a base
 * for proxies ({@link io.kubundle.proxy.support.SyncingProxy}), per-port caching ({@link
 * io.kubundle.proxy.support.PortContributions}) and kube-proxy's name hashes ({@link
 * io.kubundle.proxy.support.Hashes}).
 */
@Export
@Version("1.0.0")
package io.kubundle.proxy.support;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
