package io.kubundle.images;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An image read from an unpacked archive and not yet in the store: the names it came with
 * (as written in the archive, not yet normalized), its manifest, and every blob it needs
 * (manifest, config, layers) with the staged file holding it.
 */
record PendingImage(List<String> names, ImageManifest manifest, Map<Descriptor, Path> blobs) {
}
