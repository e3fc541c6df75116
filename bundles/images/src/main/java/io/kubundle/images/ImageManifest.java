package io.kubundle.images;

import java.util.List;

/**
 * An image's manifest as stored: the manifest's own descriptor, its config and its layers in
 * order (lowest first).
 */
public record ImageManifest(Descriptor manifest, Descriptor config, List<Descriptor> layers) {
    public ImageManifest {
        layers = List.copyOf(layers);
    }

    /** Manifest, config and layers together, in bytes. */
    public long totalSize() {
        return manifest.size() + config.size() + layers.stream().mapToLong(Descriptor::size).sum();
    }
}
