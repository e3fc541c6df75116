package io.kubundle.api.transport;

import org.osgi.annotation.versioning.ProviderType;

/** An open stream, or the server's refusal to open one. */
@ProviderType
public interface ApiStream extends AutoCloseable {
    /** The server's complete reply when it did not open the stream (an error status), else null. */
    ApiReply refusal();

    /** Stops the stream (idempotent); the listener hears nothing more. */
    @Override
    void close();
}
