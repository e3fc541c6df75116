/**
 * The node's local image store: {@link io.kubundle.images.ImageStore}, a content-addressed OCI
 * image layout on disk filled from docker-archive and OCI-archive tarballs and, through {@link
 * io.kubundle.images.RegistryPuller}, from registries, with layers unpacked for overlayfs; and
 * {@link io.kubundle.images.ImageReference}, image names normalized as Docker does.
 */
@Export
@Version("1.2.0")
package io.kubundle.images;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
