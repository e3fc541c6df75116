package io.kubundle.api.store;

import org.osgi.annotation.versioning.ProviderType;

/** A running watch; closing it stops delivery (idempotent). */
@ProviderType
public interface Watch extends AutoCloseable {
    @Override
    void close();
}
