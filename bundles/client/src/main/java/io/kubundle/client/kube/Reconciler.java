package io.kubundle.client.kube;

import java.time.Duration;

/**
 * A controller's logic for one key: read the desired state (from informers), compare it with the
 * actual state and act. Level-triggered: it must do the right thing whatever happened before, and
 * be safe to run again for the same key.
 */
@FunctionalInterface
public interface Reconciler {
    /**
     * Brings one object to its desired state. Throwing retries the key with back-off.
     *
     * @return when to look at the key again even if nothing changes ({@link Duration#ZERO}: not)
     */
    Duration reconcile(String key) throws Exception;
}
