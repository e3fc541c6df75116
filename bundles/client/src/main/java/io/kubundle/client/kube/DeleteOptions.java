package io.kubundle.client.kube;

/**
 * How to delete.
 *
 * @param gracePeriodSeconds seconds a pod gets to stop (0: at once), or null for its own setting
 * @param propagationPolicy {@code Background}, {@code Foreground} or {@code Orphan}, or null for the default
 * @param preconditionUid delete only the object with this uid, or null
 */
public record DeleteOptions(Long gracePeriodSeconds, String propagationPolicy, String preconditionUid) {
    /** The server's defaults. */
    public static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null);

    public static DeleteOptions propagation(String policy) {
        return new DeleteOptions(null, policy, null);
    }

    public static DeleteOptions gracePeriod(long seconds) {
        return new DeleteOptions(seconds, null, null);
    }

    public DeleteOptions withPreconditionUid(String uid) {
        return new DeleteOptions(gracePeriodSeconds, propagationPolicy, uid);
    }
}
