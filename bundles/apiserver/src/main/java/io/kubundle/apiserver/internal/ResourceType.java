package io.kubundle.apiserver.internal;

import java.util.List;

/**
 * A kind of resource the API serves.
 *
 * @param group the API group, "" for the core group
 * @param version the version served and stored
 * @param kind the kind, such as {@code Deployment}
 * @param plural the resource name in URLs, such as {@code deployments}
 * @param namespaced whether objects live in a namespace
 * @param shortNames kubectl's short names, such as {@code deploy}
 * @param subresources the subresources served: {@code status}, {@code scale}, {@code binding}, ...
 */
record ResourceType(String group, String version, String kind, String plural, boolean namespaced,
        List<String> shortNames, List<String> subresources) {

    /** {@code v1} or {@code apps/v1}. */
    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    String singular() {
        return kind.toLowerCase(java.util.Locale.ROOT);
    }

    boolean hasStatus() {
        return subresources.contains("status");
    }

    /** The key prefix of all objects of this type: {@code /registry/apps/deployments/}. */
    String keyPrefix() {
        return "/registry/" + (group.isEmpty() ? "core" : group) + "/" + plural + "/";
    }

    /** The key of one object. */
    String key(String namespace, String name) {
        return namespaced ? keyPrefix() + namespace + "/" + name : keyPrefix() + name;
    }

    /** The key prefix of the objects in one namespace, or of all when {@code namespace} is null. */
    String listPrefix(String namespace) {
        return namespaced && namespace != null ? keyPrefix() + namespace + "/" : keyPrefix();
    }
}
