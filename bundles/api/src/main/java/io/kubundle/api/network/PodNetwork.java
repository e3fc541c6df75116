package io.kubundle.api.network;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Wires pods into the node's network, as a CNI plugin does.
 *
 * <p>Register the service with a {@value #NAME_PROPERTY} property ({@code bridge}, ...) equal to
 * {@link #name()}. Every method is thread-safe.
 */
@ConsumerType
public interface PodNetwork {

    /** Service property naming a network plugin; the kubelet's configuration selects one by it. */
    String NAME_PROPERTY = "name";

    /** The plugin's name. */
    String name();

    /**
     * Gives the pod an interface in its namespace and an address from the node's pod CIDR, with a
     * default route, so that the host and every other pod reach it. Calling it again for a pod
     * already added returns the same attachment.
     *
     * @throws NetworkFailure if it cannot; whatever was made for the pod is undone
     */
    Attachment add(PodRef pod) throws NetworkFailure;

    /**
     * Undoes {@link #add}: removes the pod's interface and releases its address. Idempotent: a pod
     * never added, added by another plugin instance, or whose namespace is already gone, is no error.
     */
    void delete(PodRef pod) throws NetworkFailure;

    /** Whether the pod's wiring is still as {@link #add} left it; throws saying what is wrong. */
    void check(PodRef pod) throws NetworkFailure;

    /**
     * Sets the node's pod CIDR ({@code spec.podCIDR}, from the node IPAM controller) before the
     * first {@link #add}; called again when it changes. Addresses already given keep working.
     */
    void configure(NodeNetwork node) throws NetworkFailure;
}
