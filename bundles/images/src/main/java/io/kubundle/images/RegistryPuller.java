package io.kubundle.images;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.kubundle.api.runtime.ImageService.RegistryCredentials;

/**
 * Pulls images from registries into an {@link ImageStore}: the manifest (of an image index or
 * Docker manifest list, the linux/amd64 one), then the config and every layer the store lacks,
 * each streamed into a scratch file of the store and verified against its digest while it
 * arrives; then everything goes into the store by the same atomic path as an import, under the
 * reference as given (normalized). A failed pull stores nothing.
 *
 * <p>Thread-safe; pulls of the same image at once both download (callers that mind serialize).
 */
public final class RegistryPuller {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** How long a download may go without a byte arriving: the kubelet's old image-pull-progress-deadline. */
    static final Duration PROGRESS_DEADLINE = Duration.ofMinutes(1);

    private final ImageStore store;
    private final HttpClient http;
    private final Duration progressDeadline;

    public RegistryPuller(ImageStore store) {
        this(store, PROGRESS_DEADLINE);
    }

    RegistryPuller(ImageStore store, Duration progressDeadline) {
        this.store = store;
        this.progressDeadline = progressDeadline;
        // redirects are followed by hand, so that the registry's Authorization goes only to the registry
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Pulls {@code reference} ({@code busybox}, {@code host:5000/a/b:tag}, {@code name@sha256:...}).
     *
     * @param credentials for the registries that ask; the one whose registry is the reference's domain is used
     * @return the stored image's manifest
     * @throws IllegalArgumentException when {@code reference} is not a valid image reference
     * @throws IOException with a message saying what the registry said ({@code manifest unknown},
     *         {@code unauthorized: ...}) or why it could not be reached
     */
    public ImageManifest pull(String reference, List<RegistryCredentials> credentials) throws IOException {
        ImageReference ref = ImageReference.parse(reference);
        RegistryClient registry = new RegistryClient(http, ref, credentials, progressDeadline);
        RegistryClient.Manifest fetched = registry.manifest(ref.digest() != null ? ref.digest() : ref.tag());
        if (fetched.isIndex()) {
            Descriptor platform = Json.platformManifest(Json.read(fetched.bytes(), "image index " + fetched.digest()),
                    "image index " + fetched.digest());
            fetched = registry.manifest(platform.digest());
            if (fetched.isIndex()) {
                throw new IOException("image index " + platform.digest() + " lists another index, not an image");
            }
        }
        Descriptor self = new Descriptor(fetched.mediaType(), fetched.digest(), fetched.bytes().length);
        ImageManifest manifest = Json.manifest(self, fetched.bytes());
        try (Scratch scratch = store.scratch("pull-")) {
            Map<Descriptor, Path> blobs = new LinkedHashMap<>();
            blobs.put(self, Files.write(scratch.dir().resolve("manifest"), fetched.bytes()));
            List<Descriptor> needed = new ArrayList<>(List.of(manifest.config()));
            needed.addAll(manifest.layers());
            for (Descriptor d : needed) {
                if (!blobs.containsKey(d) && !store.hasBlob(d.digest())) {
                    Path file = scratch.dir().resolve(Digests.hex(d.digest()));
                    registry.blob(d, file);
                    blobs.put(d, file);
                }
            }
            store.store(new PendingImage(List.of(ref.toString()), manifest, blobs));
        }
        return manifest;
    }
}
