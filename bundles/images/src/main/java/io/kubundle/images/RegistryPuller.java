package io.kubundle.images;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
     * Pulls {@code reference} ({@code busybox}, {@code host:5000/a/b:tag}, {@code name@sha256:...}):
     * asks the registry for its manifest (for a tag, first for its digest alone, with a HEAD);
     * when the store has that manifest already (an unchanged tag), only the name is pointed at it
     * and nothing more is downloaded. A Docker schema 1
     * manifest is converted: its layers and an OCI config and manifest made of it are stored, with
     * the digest of what the registry served as the name's repo digest.
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
        if (ref.digest() == null) {
            Optional<String> digest = registry.manifestDigest(ref.tag());
            Optional<ImageManifest> here = digest.isEmpty() ? Optional.empty() : present(ref, digest.get());
            if (here.isPresent()) {
                return here.get();
            }
        }
        RegistryClient.Manifest served = registry.manifest(ref.digest() != null ? ref.digest() : ref.tag());
        Optional<ImageManifest> here = present(ref, served.digest());
        if (here.isPresent()) {
            return here.get();
        }
        RegistryClient.Manifest fetched = served;
        if (!fetched.isSchema1() && fetched.isIndex()) {
            Descriptor platform = Json.platformManifest(Json.read(fetched.bytes(), "image index " + fetched.digest()),
                    "image index " + fetched.digest());
            fetched = registry.manifest(platform.digest());
            if (fetched.isIndex()) {
                throw new IOException("image index " + platform.digest() + " lists another index, not an image");
            }
        }
        try (Scratch scratch = store.scratch("pull-")) {
            Map<Descriptor, Path> blobs = new LinkedHashMap<>();
            ImageManifest manifest = fetched.isSchema1() ? schema1(registry, fetched, scratch, blobs)
                    : manifest(registry, fetched, scratch, blobs);
            store.store(new PendingImage(List.of(ref.toString()), manifest, blobs, served.digest()));
            return manifest;
        }
    }

    /**
     * The image the registry's manifest {@code digest} is (its manifest, or the index or schema 1
     * manifest it was made of) when it is here, with {@code ref} pointed at it.
     */
    private Optional<ImageManifest> present(ImageReference ref, String digest) throws IOException {
        Optional<ImageManifest> here = store.resolve(ref.repository() + "@" + digest);
        if (here.isPresent()) {
            store.store(new PendingImage(List.of(ref.toString()), here.get(), Map.of(), digest));
        }
        return here;
    }

    /** An OCI or Docker schema 2 manifest and the blobs of it that the store lacks, downloaded into {@code blobs}. */
    private ImageManifest manifest(RegistryClient registry, RegistryClient.Manifest fetched, Scratch scratch,
            Map<Descriptor, Path> blobs) throws IOException {
        Descriptor self = new Descriptor(fetched.mediaType(), fetched.digest(), fetched.bytes().length);
        ImageManifest manifest = Json.manifest(self, fetched.bytes());
        blobs.put(self, Files.write(scratch.dir().resolve("manifest"), fetched.bytes()));
        List<Descriptor> needed = new ArrayList<>(List.of(manifest.config()));
        needed.addAll(manifest.layers());
        for (Descriptor d : needed) {
            if (!blobs.containsKey(d) && !store.hasBlob(d.digest())) {
                blobs.put(d, download(registry, d, scratch));
            }
        }
        return manifest;
    }

    /**
     * The OCI manifest and config made of a schema 1 manifest, its layers downloaded (those the
     * store lacks) and each one's diff_id computed from the verified blob.
     */
    private ImageManifest schema1(RegistryClient registry, RegistryClient.Manifest fetched, Scratch scratch,
            Map<Descriptor, Path> blobs) throws IOException {
        Schema1 image = Schema1.parse(fetched.bytes(), "schema 1 manifest " + fetched.digest());
        Map<String, Descriptor> seen = new LinkedHashMap<>();
        Map<String, String> diffIdOf = new LinkedHashMap<>();
        List<Descriptor> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (String blobSum : image.blobSums()) {
            if (!seen.containsKey(blobSum)) { // a layer may be there twice: fetched and hashed once
                // schema 1 gives no sizes: the digest alone is checked
                Path file = store.hasBlob(blobSum) ? store.blobPath(blobSum)
                        : download(registry, new Descriptor(MediaTypes.OCI_LAYER_GZIP, blobSum, -1), scratch);
                Descriptor layer = new Descriptor(isGzip(file) ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER, blobSum,
                        Files.size(file));
                seen.put(blobSum, layer);
                diffIdOf.put(blobSum, diffId(file));
                if (file.startsWith(scratch.dir())) {
                    blobs.put(layer, file);
                }
            }
            layers.add(seen.get(blobSum));
            diffIds.add(diffIdOf.get(blobSum));
        }
        Descriptor config = put(image.ociConfig(diffIds), MediaTypes.OCI_CONFIG, scratch, blobs);
        Descriptor self = put(Json.manifestBytes(config, layers), MediaTypes.OCI_MANIFEST, scratch, blobs);
        return new ImageManifest(self, config, layers);
    }

    private Path download(RegistryClient registry, Descriptor d, Scratch scratch) throws IOException {
        Path file = scratch.dir().resolve(Digests.hex(d.digest()));
        registry.blob(d, file);
        return file;
    }

    /** Writes content made here into the scratch directory, as a blob to store. */
    private static Descriptor put(byte[] bytes, String mediaType, Scratch scratch, Map<Descriptor, Path> blobs) throws IOException {
        Descriptor d = new Descriptor(mediaType, Digests.of(bytes), bytes.length);
        blobs.put(d, Files.write(scratch.dir().resolve(Digests.hex(d.digest())), bytes));
        return d;
    }

    /** The digest of the layer uncompressed: its diff_id, which the unpacking checks again. */
    private static String diffId(Path layer) throws IOException {
        try (InputStream in = Staging.maybeGunzip(Files.newInputStream(layer))) {
            return Digests.of(in);
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}
