package io.kubundle.images;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An image read from an unpacked archive or a registry and not yet in the store: the names it
 * came with (as written in the archive, not yet normalized), its manifest, every blob it needs
 * (manifest, config, layers) with the staged file holding it, and the repo digest (the digest of
 * what a registry served for the names, when that is not the stored manifest: an image index, a
 * schema 1 manifest; else null).
 */
record PendingImage(List<String> names, ImageManifest manifest, Map<Descriptor, Path> blobs, String repoDigest) {
    PendingImage(List<String> names, ImageManifest manifest, Map<Descriptor, Path> blobs) {
        this(names, manifest, blobs, null);
    }
}
