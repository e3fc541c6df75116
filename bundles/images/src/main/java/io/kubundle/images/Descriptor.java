package io.kubundle.images;

import java.util.Objects;

/** An OCI content descriptor: what a blob is, its digest ({@code sha256:<hex>}) and size in bytes. */
public record Descriptor(String mediaType, String digest, long size) {
    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
    }
}
