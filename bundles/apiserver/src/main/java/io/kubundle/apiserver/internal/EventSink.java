package io.kubundle.apiserver.internal;

/** Where a watch writes its events: a chunked HTTP response. Calls come from one thread at a time. */
interface EventSink {
    /** Starts the response (200, content type). */
    void begin(String contentType);

    /** Writes one event line; returns false once the client has gone. */
    boolean write(byte[] line);

    /**
     * Writes event lines together and flushes once; {@code done} runs once they are written
     * ({@code true}) or cannot be (the client has gone), never on the calling thread's stack.
     */
    void write(java.util.List<byte[]> lines, java.util.function.Consumer<Boolean> done);

    /** Ends the response. */
    void end();

    /** Runs when the client goes away. */
    void onClientGone(Runnable action);
}
