/**
 * The pod network SPI: CNI's ADD, DEL and CHECK as an OSGi service, so that a network driver is a
 * plugin the kubelet takes and an admin swaps while pods run.
 *
 * <p>The kubelet makes each pod's network namespace (a file under {@code /run/netns}) and then calls
 * {@link io.kubundle.api.network.PodNetwork#add} once, before the pod's containers start;
 * {@link io.kubundle.api.network.PodNetwork#delete} when the pod goes (and again after a crash, so
 * DEL must be idempotent); {@link io.kubundle.api.network.PodNetwork#check} to verify a pod it
 * adopts after a restart. Calls for different pods come from different threads at once; calls for
 * one pod never overlap.
 *
 * <p>A plugin keeps what it allocated (addresses) on disk so that a new instance, or a different
 * plugin after a swap, finds it: pods wired by one plugin stay reachable when another replaces it,
 * and the kubelet asks the plugin named in the pod's attachment to delete it.
 */
@Export
@Version("1.0.0")
package io.kubundle.api.network;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
