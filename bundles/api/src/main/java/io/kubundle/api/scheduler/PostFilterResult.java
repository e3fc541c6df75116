package io.kubundle.api.scheduler;

import java.util.Objects;

/**
 * What a {@link PostFilter} did.
 *
 * @param status success when a node was nominated, else why not
 * @param nominatedNodeName the node the pod should fit on once the cluster changes, or null
 */
public record PostFilterResult(Status status, String nominatedNodeName) {
    public PostFilterResult {
        Objects.requireNonNull(status, "status");
    }

    public static PostFilterResult nominate(String nodeName) {
        return new PostFilterResult(Status.success(), Objects.requireNonNull(nodeName, "nodeName"));
    }

    public static PostFilterResult of(Status status) {
        return new PostFilterResult(status, null);
    }
}
