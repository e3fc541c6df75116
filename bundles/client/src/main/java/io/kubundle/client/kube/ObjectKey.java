package io.kubundle.client.kube;

/** The keys controllers use for objects: {@code namespace/name}, or {@code name} without a namespace. */
public final class ObjectKey {
    private ObjectKey() {
    }

    public static String of(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /** The namespace part of a key, empty for a cluster-scoped one. */
    public static String namespace(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    /** The name part of a key. */
    public static String name(String key) {
        return key.substring(key.indexOf('/') + 1);
    }
}
