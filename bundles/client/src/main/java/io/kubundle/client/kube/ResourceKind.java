package io.kubundle.client.kube;

import java.util.Objects;

/**
 * A resource type as the client addresses it, and the class its objects bind to.
 *
 * @param group the API group, empty for the core group
 * @param version the version, such as {@code v1}
 * @param plural the resource name in URLs, such as {@code deployments}
 * @param kind the kind, such as {@code Deployment}
 * @param namespaced whether objects live in namespaces
 * @param type the class objects are read into: a fabric8 model class, {@code ObjectNode}, ...
 */
public record ResourceKind<T>(String group, String version, String plural, String kind, boolean namespaced, Class<T> type) {
    public ResourceKind {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(plural, "plural");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
    }

    /** A kind from its {@code apiVersion} ({@code v1}, {@code apps/v1}). */
    public static <T> ResourceKind<T> of(String apiVersion, String kind, String plural, boolean namespaced, Class<T> type) {
        int slash = apiVersion.indexOf('/');
        return new ResourceKind<>(slash < 0 ? "" : apiVersion.substring(0, slash), apiVersion.substring(slash + 1), plural, kind,
                namespaced, type);
    }

    /** The same resource read into another class. */
    public <U> ResourceKind<U> as(Class<U> other) {
        return new ResourceKind<>(group, version, plural, kind, namespaced, other);
    }

    /** {@code v1} or {@code group/version}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /**
     * The URL path of the collection (name null) or of one object, in a namespace or (namespace
     * null) across all of them.
     */
    public String path(String namespace, String name) {
        StringBuilder path = new StringBuilder(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version);
        if (namespaced && namespace != null) {
            path.append("/namespaces/").append(namespace);
        }
        path.append('/').append(plural);
        if (name != null) {
            path.append('/').append(name);
        }
        return path.toString();
    }
}
