package io.kubundle.client.kube;

/** Receives a watch's events in order, on one thread at a time. */
public interface WatchHandler<T> {
    /** One change, or a bookmark that only moves the revision on. */
    void onEvent(WatchEvent<T> event);

    /**
     * The watch ended: closed by the server ({@code failure} null; resume from the last revision),
     * an error the server sent ({@link ApiStatusException}; {@link ApiStatusException#isGone()}
     * means list again), or a broken connection. Not called when the client closed the watch.
     */
    void onClose(Exception failure);
}
