package io.kubundle.api.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The node's images, as CRI's ImageService, plus what a runtime needs to mount them: the image's
 * layers unpacked into directories, ready to be overlayfs lower directories.
 *
 * <p>Every method is thread-safe; pulls of the same image at once are done once. Register the
 * service with a {@value ContainerRuntime#NAME_PROPERTY} property.
 */
@ConsumerType
public interface ImageService {

    /**
     * Pulls an image from its registry (OCI distribution API), unless an image of that name and
     * digest is already here, and unpacks its layers.
     *
     * @param image the reference as written in a pod ({@code nginx:1.7.9}, {@code host:5000/a/b@sha256:...})
     * @param credentials the registries' credentials from the pod's {@code imagePullSecrets}; may be empty
     * @return the image
     * @throws RuntimeFailure with reason {@code ErrImagePull} (not found, unauthorized, registry
     *         unreachable, bad digest) and nothing half-stored
     */
    ImageInfo pull(String image, List<RegistryCredentials> credentials) throws RuntimeFailure;

    /** The image of that reference (name, {@code name@digest} or id) if it is here. */
    Optional<ImageInfo> status(String image) throws RuntimeFailure;

    /** Every image here. */
    List<ImageInfo> list() throws RuntimeFailure;

    /** Removes a name (or, given an id, every name of that image) and blobs nothing else uses. */
    void remove(String image) throws RuntimeFailure;

    /**
     * The image's layers unpacked into directories, lowest first, each read-only and shared by
     * every container of every image that has that layer. Deleted files are overlayfs whiteouts,
     * so the list is a valid {@code lowerdir} (reversed: overlayfs lists the top layer first).
     *
     * @throws RuntimeFailure with reason {@code ImageInspectError} if the image is not here
     */
    List<Path> layers(String image) throws RuntimeFailure;

    /**
     * An image on the node.
     *
     * @param id the manifest digest ({@code sha256:...})
     * @param names the normalized references that name it ({@code docker.io/library/busybox:latest})
     * @param sizeBytes the size of its blobs
     * @param config what the image says about running it
     */
    record ImageInfo(String id, List<String> names, long sizeBytes, ImageConfig config) {
        public ImageInfo {
            names = List.copyOf(names);
        }
    }

    /**
     * The runtime part of an image's config.
     *
     * @param entrypoint may be empty
     * @param cmd may be empty
     * @param env {@code NAME=value} entries
     * @param workingDir may be empty (then {@code /})
     * @param user {@code uid}, {@code uid:gid}, a name, or empty for root
     * @param stopSignal may be empty (then {@code SIGTERM})
     */
    record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
            String stopSignal) {
        public ImageConfig {
            entrypoint = List.copyOf(entrypoint);
            cmd = List.copyOf(cmd);
            env = List.copyOf(env);
        }
    }

    /**
     * Credentials for one registry, from a {@code kubernetes.io/dockerconfigjson} Secret.
     *
     * @param registry the registry host ({@code docker.io}, {@code host:5000})
     * @param username the user name
     * @param password the password or token
     */
    record RegistryCredentials(String registry, String username, String password) {
        @Override
        public String toString() {
            return "RegistryCredentials[" + registry + ", " + username + ", ****]";
        }
    }
}
