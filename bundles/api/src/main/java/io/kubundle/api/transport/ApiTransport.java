package io.kubundle.api.transport;

import java.io.IOException;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries API requests to a Kubernetes API server and brings back its replies. Implementations
 * are thread-safe.
 */
@ConsumerType
public interface ApiTransport {
    /** The service property that names a transport; the API server's own is {@value #IN_PROCESS}. */
    String KIND_PROPERTY = "kubundle.transport";

    /** The value of {@link #KIND_PROPERTY} for the API server's in-process transport. */
    String IN_PROCESS = "in-process";

    /**
     * Sends a request and waits for the whole reply. A reply with an error status is a reply,
     * not an exception.
     *
     * @throws IOException when the server cannot be reached or the connection breaks
     */
    ApiReply send(ApiCall call) throws IOException;

    /**
     * Sends a streaming request (a watch) and returns once the server has answered: either the
     * stream is open and its lines go to {@code listener}, or the server refused with a
     * complete reply ({@link ApiStream#refusal()}), and the listener is never called.
     *
     * @throws IOException when the server cannot be reached
     */
    ApiStream stream(ApiCall call, StreamListener listener) throws IOException;
}
