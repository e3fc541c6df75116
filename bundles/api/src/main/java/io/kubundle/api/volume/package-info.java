/**
 * The volume SPI: each kind of pod volume (a key of Kubernetes' {@code VolumeSource} or
 * {@code PersistentVolumeSource}: {@code emptyDir}, {@code configMap}, {@code nfs}, ...) is made by
 * a plugin the kubelet takes and an admin swaps while pods run, as Kubernetes' in-tree volume
 * plugins and CSI drivers are.
 *
 * <h2>Who calls, and how</h2>
 * The kubelet is the only caller. For each volume of a pod it takes the plugin registered for the
 * volume's source type ({@link io.kubundle.api.volume.VolumePlugin#TYPES_PROPERTY}); for a
 * {@code persistentVolumeClaim} it resolves the claim to its bound PersistentVolume itself and takes
 * the plugin for the volume's source type, so a plugin registering {@code nfs} serves both pod
 * {@code nfs:} volumes and PersistentVolumes with {@code spec.nfs}. It calls
 * {@link io.kubundle.api.volume.VolumePlugin#setUp} from its pod workers on every sync of the pod
 * (one call per pod at a time, many pods at once: every method must be thread-safe), before the
 * pod's containers are created and again while they run, so that changes reach running pods; and
 * {@link io.kubundle.api.volume.VolumePlugin#tearDown} once the pod's containers are gone. Methods
 * may block (they mount and write files) but should return within seconds.
 *
 * <h2>Where volumes live</h2>
 * Each volume has a directory of its own on the host, {@code <pod dir>/volumes/<type>/<name>}
 * ({@link io.kubundle.api.volume.VolumeRef#directory()}), that the kubelet makes (empty) before the
 * first set-up. A plugin mounts on it or writes into it, or returns another existing host path
 * (a {@code hostPath}); the runtime bind-mounts the path returned into the containers. After every
 * plugin's tear-down the kubelet unmounts whatever is still mounted under the pod's directory and
 * deletes it, so a plugin that left never leaves a mount behind.
 *
 * <h2>State and swaps</h2>
 * Volumes belong to running pods, not to the plugin's instance: a plugin that stops (a bundle
 * update, an uninstall) does nothing to the volumes it made (no unmount, no delete) and keeps
 * whatever it needs to tear them down on disk or finds it at their directory, so that a new
 * instance, or another plugin for the same type, adopts them on the next call.
 */
@Export
@Version("1.0.0")
package io.kubundle.api.volume;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
