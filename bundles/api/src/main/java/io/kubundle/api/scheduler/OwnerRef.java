package io.kubundle.api.scheduler;

/**
 * A pod's controller (the owner reference with {@code controller: true}).
 *
 * @param apiVersion such as {@code apps/v1}
 * @param kind such as {@code ReplicaSet}
 * @param name the owner's name
 * @param uid the owner's uid
 */
public record OwnerRef(String apiVersion, String kind, String name, String uid) {
}
