/**
 * The container runtime SPI: Kubernetes' CRI as small OSGi role interfaces, so that a runtime is a
 * plugin the kubelet takes and an admin swaps while pods run.
 *
 * <h2>Roles</h2>
 * <ul>
 *   <li>{@link io.kubundle.api.runtime.ContainerRuntime}: pod sandboxes and the containers in them
 *       (create, start, stop, remove, status, list, exec, attach). {@code runtime-runc} (OCI bundles run by
 *       {@code runc}) and {@code runtime-native} (namespaces, chroot and cgroupfs without runc)
 *       implement it.</li>
 *   <li>{@link io.kubundle.api.runtime.ImageService}: images on the node (pull, status, list,
 *       remove) and their unpacked layers, which every runtime mounts as the root filesystem.
 *       One implementation serves every runtime, so images survive a runtime swap.</li>
 * </ul>
 *
 * <h2>Who calls, and how</h2>
 * The kubelet is the only caller. It calls from its pod workers (one thread per pod at a time, many
 * pods at once), its probers and its status loop: every method must be thread-safe. Methods may
 * block (they run processes and touch disks) but should return within seconds; each states what a
 * repeat call does.
 *
 * <h2>State and swaps</h2>
 * A runtime keeps its state on disk under the root directory it is configured with and labels
 * everything it creates with the {@link io.kubundle.api.runtime.SandboxConfig#labels() labels}
 * the kubelet gave, so that a kubelet restarted after {@code kill -9} finds its pods again by
 * {@link io.kubundle.api.runtime.ContainerRuntime#listSandboxes()} and
 * {@link io.kubundle.api.runtime.ContainerRuntime#listContainers()}. Containers keep running when
 * the runtime's bundle stops (a runtime leaving must not kill what it started), and a runtime's new
 * instance adopts them. Each object carries the {@code name} of the runtime that made it, so that
 * after a swap the kubelet keeps managing old pods through the runtime that made them while new
 * pods go to the new one.
 *
 * <h2>The pod's network and volumes</h2>
 * The kubelet makes the pod's network namespace (and wires it through the network SPI) and mounts
 * the pod's volumes on the host before it asks for a sandbox; the runtime joins each container to
 * {@link io.kubundle.api.runtime.SandboxConfig#netnsPath()} and bind-mounts
 * {@link io.kubundle.api.runtime.Mount}s. All containers of a pod therefore share one IP, localhost
 * and the volumes.
 *
 * <h2>Logs</h2>
 * The runtime writes what a container prints to {@link io.kubundle.api.runtime.ContainerConfig#logPath()}
 * in the CRI log format ({@code 2016-10-06T00:17:09.669794202Z stdout F text}, {@code P} for a
 * partial line) and keeps writing it while the kubelet is down: no line may be lost.
 */
@Export
@Version("1.3.0")
package io.kubundle.api.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
