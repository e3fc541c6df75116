package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;

/** Reads the ConfigMaps, Secrets, claims and volumes a pod refers to (from the API server, or a test's map). */
interface ObjectLookup {
    Optional<ConfigMap> configMap(String namespace, String name) throws IOException;

    Optional<Secret> secret(String namespace, String name) throws IOException;

    Optional<PersistentVolumeClaim> persistentVolumeClaim(String namespace, String name) throws IOException;

    Optional<PersistentVolume> persistentVolume(String name) throws IOException;
}
