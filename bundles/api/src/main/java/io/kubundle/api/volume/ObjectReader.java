package io.kubundle.api.volume;

import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads API objects for a plugin through the kubelet's own connection to the API server, so that a
 * plugin needs no client or credentials of its own. The kubelet reads at least {@code v1}
 * {@code ConfigMap} and {@code Secret}. Thread-safe.
 */
@ProviderType
public interface ObjectReader {

    /**
     * The object's JSON tree, fresh from the API server, or empty if it does not exist.
     *
     * @param namespace the namespace, or {@code null} for a cluster-scoped kind
     * @throws VolumeFailure if it cannot be read (the API server unreachable, a kind it does not read)
     */
    Optional<Map<String, Object>> get(String apiVersion, String kind, String namespace, String name) throws VolumeFailure;
}
