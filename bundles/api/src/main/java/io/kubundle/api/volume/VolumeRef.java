package io.kubundle.api.volume;

import java.nio.file.Path;

/**
 * Which volume of which pod a call is for.
 *
 * @param type the source type that chose the plugin ({@code emptyDir}, {@code nfs}; for a claim, its
 *        PersistentVolume's type)
 * @param name the volume's name in the pod
 * @param podUid the pod's uid
 * @param directory the volume's own directory on the host, {@code <pod dir>/volumes/<type>/<name>}
 */
public record VolumeRef(String type, String name, String podUid, Path directory) { }
