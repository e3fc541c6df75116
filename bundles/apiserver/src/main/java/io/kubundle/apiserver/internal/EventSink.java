package io.kubundle.apiserver.internal;

/** Where a watch writes its events: a chunked HTTP response. Calls come from one thread at a time. */
interface EventSink {
    /** Starts the response (200, content type). */
    void begin(String contentType);

    /** Writes one event line; returns false once the client has gone. */
    boolean write(byte[] line);

    /** Ends the response. */
    void end();

    /** Runs when the client goes away. */
    void onClientGone(Runnable action);
}
