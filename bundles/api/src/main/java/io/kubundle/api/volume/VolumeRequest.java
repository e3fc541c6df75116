package io.kubundle.api.volume;

import java.util.Map;

/**
 * A volume to set up, with what a plugin may need to make it. The maps are the objects' JSON trees
 * as the API server serves them ({@code String}, {@code Number}, {@code Boolean}, {@code List} and
 * {@code Map} values), made for this call; a plugin reads them and must not keep them.
 *
 * @param volume which volume
 * @param source the volume's source: the pod volume's {@code <type>} object ({@code {"name":
 *        "settings", "defaultMode": 420}} for a {@code configMap}), or for a claim the
 *        PersistentVolume's {@code spec.<type>} object
 * @param persistentVolume the whole PersistentVolume a claim is bound to (for its
 *        {@code spec.mountOptions}, capacity, ...); empty for a pod's own volume
 * @param pod the pod
 * @param objects reads the ConfigMaps and Secrets the volume names
 * @param fields the pod's downward API values
 */
public record VolumeRequest(VolumeRef volume, Map<String, Object> source, Map<String, Object> persistentVolume,
        Map<String, Object> pod, ObjectReader objects, PodFields fields) {
}
