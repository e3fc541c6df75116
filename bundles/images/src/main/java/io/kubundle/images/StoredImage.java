package io.kubundle.images;

/**
 * One entry of the store's index: the normalized reference (null for an image imported without
 * a name, which is found by its digest), the manifest digest and the image's size on disk in
 * bytes (manifest, config and layers, shared layers counted in every image).
 */
public record StoredImage(String reference, String digest, long size) {
}
