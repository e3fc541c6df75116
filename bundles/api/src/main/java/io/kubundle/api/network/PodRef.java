package io.kubundle.api.network;

/**
 * The pod a network call is for.
 *
 * @param uid the pod's uid: the key of everything allocated for it
 * @param namespace the pod's namespace
 * @param name the pod's name
 * @param netnsPath its network namespace (a bind-mounted file such as {@code /run/netns/NAME})
 * @param interfaceName the interface to make inside it ({@code eth0})
 */
public record PodRef(String uid, String namespace, String name, String netnsPath, String interfaceName) { }
