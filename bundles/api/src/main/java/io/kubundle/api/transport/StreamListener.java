package io.kubundle.api.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives a stream's lines, in order, from one thread at a time. */
@ConsumerType
public interface StreamListener {
    /** One line of the stream (for a watch, one JSON event), without its newline. */
    void onLine(byte[] line);

    /**
     * The stream ended: the server closed it ({@code failure} null) or the connection broke.
     * Called once, and not after the client closed the stream itself.
     */
    void onEnd(Exception failure);
}
