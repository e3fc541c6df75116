package io.kubundle.api.store;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives the events of a {@link Store#watch}; both methods run on a store thread and must return quickly. */
@ConsumerType
public interface WatchListener {

    /** Events in revision order; called again only after this call returned. */
    void onEvents(List<WatchEvent> events);

    /**
     * The watch ended: closed by the caller ({@code cause} null), by the store shutting down or
     * leaving, or because the listener fell behind. No event follows.
     */
    void onClose(Throwable cause);
}
