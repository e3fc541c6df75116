package io.kubundle.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The node's local image store: an OCI image layout rooted at a directory.
 *
 * <pre>
 * root/oci-layout            {"imageLayoutVersion":"1.0.0"}
 * root/index.json            an OCI image index; each entry a manifest, named by its
 *                            org.opencontainers.image.ref.name annotation (the normalized
 *                            reference, e.g. docker.io/library/busybox:latest; none when the
 *                            image was imported without a name)
 * root/blobs/sha256/HEX      manifests, configs and layers, each once, named by its sha256
 * root/layers/HEX/          a layer unpacked for overlayfs, named by its diff_id (the sha256 of
 *                            its uncompressed tar), shared by every image that has it
 * root/tmp/                  imports, unpackings and downloads in progress (never read as content)
 * root/.lock                 the lock file
 * </pre>
 *
 * <p>Blobs are verified against their digest before anything is written; a verified blob goes
 * into place by an fsync and an atomic rename within the store, and index.json is replaced the
 * same way after its blobs, so a failed or interrupted import leaves no reference and no
 * partial blob (at worst whole blobs nothing references, which the next removal or import
 * collects).
 *
 * <p>Concurrency: every operation holds an exclusive lock for its whole duration, taken in two
 * parts: a {@link ReentrantLock} shared by all instances on the same root in this JVM (a JVM
 * cannot hold two {@link FileLock}s on one file), then an OS file lock on {@code root/.lock}
 * for other processes (the CLI's {@code image import} beside a running node). Reads wait for an
 * import in progress; that keeps the rules simple and is cheap next to hashing layers. Unpacking
 * a layer is the exception: it runs outside the store lock (under a lock per layer, so that
 * concurrent callers wait for one unpacking) in a {@link Scratch} directory that garbage
 * collection leaves alone, and takes the store lock only to start and to rename the result.
 */
public final class ImageStore {
    private static final ConcurrentMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    private static final ConcurrentMap<Path, ReentrantLock> LAYER_LOCKS = new ConcurrentHashMap<>();
    private static final Path MOUNTS = Path.of("/proc/self/mounts");
    private static final Pattern BARE_DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private final Path root;
    private final Path blobs;
    private final Path tmp;
    private final Path layers;
    private final Path index;
    private final Path lockFile;
    private final ReentrantLock lock;

    /** Opens the store at {@code root}, creating an empty layout there when there is none. */
    public ImageStore(Path root) throws IOException {
        Files.createDirectories(root.resolve("blobs").resolve("sha256"));
        this.root = root.toRealPath();
        this.blobs = this.root.resolve("blobs").resolve("sha256");
        this.tmp = this.root.resolve("tmp");
        this.layers = this.root.resolve("layers");
        this.index = this.root.resolve("index.json");
        this.lockFile = this.root.resolve(".lock");
        this.lock = LOCKS.computeIfAbsent(this.root, k -> new ReentrantLock());
        Files.createDirectories(tmp);
        Files.createDirectories(layers);
        locked(() -> {
            Path layout = this.root.resolve("oci-layout");
            if (!Files.exists(layout)) {
                writeAtomically(layout, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (!Files.exists(index)) {
                writeIndex(List.of());
            }
            return null;
        });
    }

    public Path root() {
        return root;
    }

    /** Where the blob with {@code digest} is (or would be) stored. */
    public Path blobPath(String digest) throws IOException {
        return blobs.resolve(Digests.hex(Digests.check(digest)));
    }

    /**
     * Imports every image of a docker-archive ({@code docker save}) or OCI-archive tarball,
     * gzipped or not. A name already in the store is moved to the imported image.
     *
     * @return the normalized references imported, or the manifest digest of an image that
     *         came without a name
     * @throws DigestMismatchException when a blob does not match its digest (nothing is
     *         imported then)
     */
    public List<String> importArchive(Path tarball) throws IOException {
        List<String> imported = locked(() -> {
            try (Staging staging = Staging.unpack(tarball, tmp)) {
                List<PendingImage> images = ArchiveReader.read(staging, tarball);
                Map<PendingImage, List<String>> names = new LinkedHashMap<>();
                for (PendingImage image : images) {
                    List<String> normalized = new ArrayList<>();
                    for (String name : image.names()) {
                        normalized.add(normalize(name));
                    }
                    names.put(image, normalized);
                }
                for (PendingImage image : images) {
                    for (Map.Entry<Descriptor, Path> blob : image.blobs().entrySet()) {
                        Digests.verify(blob.getValue(), blob.getKey());
                    }
                }
                return commit(names);
            }
        });
        collectGarbage();
        return imported;
    }

    /**
     * Stores an image whose new blobs were verified already (a pull): the same atomic path as an
     * import. Blobs the image needs and {@code image.blobs()} lacks must be in the store. Storing
     * what the index already says (a pull that found the image unchanged) writes nothing.
     *
     * @param image its names must be normalized
     */
    void store(PendingImage image) throws IOException {
        boolean changed = locked(() -> {
            ImageManifest m = image.manifest();
            List<Descriptor> all = new ArrayList<>(List.of(m.manifest(), m.config()));
            all.addAll(m.layers());
            for (Descriptor d : all) {
                if (!image.blobs().containsKey(d) && !Files.exists(blobPath(d.digest()))) {
                    throw new IOException("blob " + d.digest() + " was removed from the store during the pull; pull again");
                }
            }
            List<Entry> before = readIndex();
            commit(Map.of(image, image.names()));
            return !before.equals(readIndex());
        });
        if (changed) {
            collectGarbage();
        }
    }

    /** Whether the blob is stored now (a later removal may still collect it). */
    boolean hasBlob(String digest) throws IOException {
        return Files.exists(blobPath(digest));
    }

    /** A scratch directory in {@code tmp/} that garbage collection leaves alone until it is closed. */
    Scratch scratch(String prefix) throws IOException {
        return locked(() -> Scratch.create(tmp, prefix));
    }

    /** Renames the verified blobs into place, then writes the index naming the images; under the lock. */
    private List<String> commit(Map<PendingImage, List<String>> names) throws IOException {
        for (PendingImage image : names.keySet()) {
            for (Map.Entry<Descriptor, Path> blob : image.blobs().entrySet()) {
                putBlob(blob.getKey().digest(), blob.getValue());
            }
        }
        syncDirectory(blobs);
        List<Entry> before = readIndex();
        List<Entry> entries = new ArrayList<>(before);
        List<String> result = new ArrayList<>();
        for (Map.Entry<PendingImage, List<String>> image : names.entrySet()) {
            Descriptor manifest = image.getKey().manifest().manifest();
            if (image.getValue().isEmpty()) {
                if (entries.stream().noneMatch(e -> e.name() == null && e.manifest().digest().equals(manifest.digest()))) {
                    entries.add(new Entry(null, manifest, null));
                }
                result.add(manifest.digest());
            }
            String repoDigest = manifest.digest().equals(image.getKey().repoDigest()) ? null : image.getKey().repoDigest();
            for (String name : image.getValue()) {
                Entry entry = new Entry(name, manifest, repoDigest);
                if (!entries.contains(entry)) { // else the name stays where it is: nothing to write
                    entries.removeIf(e -> name.equals(e.name()));
                    entries.add(entry);
                }
                result.add(name);
            }
        }
        if (!entries.equals(before)) {
            writeIndex(entries);
        }
        return result;
    }

    /** Every entry of the index, in the order they were added. */
    public List<StoredImage> list() throws IOException {
        return locked(() -> {
            List<StoredImage> images = new ArrayList<>();
            for (Entry e : readIndex()) {
                images.add(new StoredImage(e.name(), e.manifest().digest(), readManifest(e.manifest()).totalSize()));
            }
            return images;
        });
    }

    /**
     * The manifest {@code reference} names: a reference as {@link ImageReference} parses it
     * (by tag, or by digest within the repository), or a bare {@code sha256:<hex>} manifest
     * digest.
     *
     * @throws IllegalArgumentException when {@code reference} is not a valid reference
     */
    public Optional<ImageManifest> resolve(String reference) throws IOException {
        return locked(() -> {
            List<Entry> matches = find(readIndex(), reference);
            return matches.isEmpty() ? Optional.empty() : Optional.of(readManifest(matches.get(0).manifest()));
        });
    }

    /** The content of the blob {@code digest}, read under the lock (a config, a manifest). */
    public byte[] readBlob(String digest) throws IOException {
        return locked(() -> Files.readAllBytes(blobPath(digest)));
    }

    /**
     * The layers of the image {@code reference} names, unpacked for overlayfs, lowest first: one
     * directory {@code root/layers/<diff_id hex>} per layer, unpacked on first use and shared by
     * every image with that layer. Callers asking for the same layer at once wait for one
     * unpacking. The directories are read-only by contract: a container writes to its own upper
     * directory.
     *
     * @return empty when no image has that reference
     * @throws DigestMismatchException when a layer's content does not hash to its diff_id
     */
    public Optional<List<Path>> layers(String reference) throws IOException {
        Optional<List<Layer>> image = locked(() -> {
            List<Entry> matches = find(readIndex(), reference);
            return matches.isEmpty() ? Optional.empty() : Optional.of(layersOf(readManifest(matches.get(0).manifest())));
        });
        if (image.isEmpty()) {
            return Optional.empty();
        }
        List<Path> dirs = new ArrayList<>();
        for (Layer layer : image.get()) {
            dirs.add(unpacked(layer));
        }
        return Optional.of(dirs);
    }

    /**
     * Removes what {@code reference} names (every name of the manifest, for a bare digest) and
     * deletes the blobs no remaining image uses.
     *
     * @return whether anything was removed
     */
    public boolean remove(String reference) throws IOException {
        boolean removed = locked(() -> {
            List<Entry> entries = readIndex();
            List<Entry> matches = find(entries, reference);
            if (matches.isEmpty()) {
                return false;
            }
            entries.removeAll(matches);
            writeIndex(entries);
            return true;
        });
        if (removed) {
            collectGarbage();
        }
        return removed;
    }

    /**
     * Deletes every blob that no manifest in the index uses, every unpacked layer no image has
     * (unless it is mounted), and anything left in {@code tmp} by an interrupted import or
     * unpacking.
     *
     * @return how many blobs were deleted
     */
    public int collectGarbage() throws IOException {
        return locked(() -> {
            Set<String> live = new HashSet<>();
            Set<String> liveLayers = new HashSet<>();
            for (Entry e : readIndex()) {
                ImageManifest m = readManifest(e.manifest());
                live.add(m.manifest().digest());
                live.add(m.config().digest());
                m.layers().forEach(l -> live.add(l.digest()));
                try {
                    layersOf(m).forEach(l -> liveLayers.add(l.diffId()));
                } catch (IOException invalid) {
                    // a config without valid diff_ids: the image has no layer that could have been unpacked
                }
            }
            int deleted = 0;
            try (DirectoryStream<Path> all = Files.newDirectoryStream(blobs)) {
                for (Path blob : all) {
                    if (!live.contains("sha256:" + blob.getFileName())) {
                        Files.delete(blob);
                        deleted++;
                    }
                }
            }
            Scratch.sweep(tmp);
            String mounts = Files.isReadable(MOUNTS) ? Files.readString(MOUNTS) : "";
            try (DirectoryStream<Path> all = Files.newDirectoryStream(layers)) {
                for (Path dir : all) {
                    // a layer still mounted (its image removed under a running container) stays until unmounted
                    if (!liveLayers.contains("sha256:" + dir.getFileName()) && !mounts.contains(dir.toString())) {
                        // renamed first, so that an interrupted deletion leaves no half layer behind
                        Path doomed = Files.createTempDirectory(tmp, "gone-");
                        Files.move(dir, doomed.resolve("layer"), StandardCopyOption.ATOMIC_MOVE);
                        Staging.deleteTree(doomed);
                    }
                }
            }
            return deleted;
        });
    }

    private static String normalize(String name) throws IOException {
        try {
            return ImageReference.parse(name).toString();
        } catch (IllegalArgumentException e) {
            throw new IOException("the archive names an image " + name + ": " + e.getMessage(), e);
        }
    }

    private static List<Entry> find(List<Entry> entries, String reference) {
        List<Entry> matches = new ArrayList<>();
        if (BARE_DIGEST.matcher(reference).matches()) {
            entries.stream().filter(e -> e.manifest().digest().equals(reference)).forEach(matches::add);
            return matches;
        }
        ImageReference ref = ImageReference.parse(reference);
        for (Entry e : entries) {
            if (e.name() == null) {
                continue;
            }
            // a digest reference also matches the name it was pulled as: an index's digest names
            // the platform manifest stored for it, a schema 1 manifest's the OCI one made of it
            boolean match = ref.toString().equals(e.name()) || ref.digest() != null
                    && (ref.digest().equals(e.manifest().digest()) || ref.digest().equals(e.repoDigest()))
                    && ImageReference.parse(e.name()).repository().equals(ref.repository());
            if (match) {
                matches.add(e);
            }
        }
        return matches;
    }

    /** The manifest's layers with their diff_ids from the image config. */
    private List<Layer> layersOf(ImageManifest m) throws IOException {
        List<String> diffIds = Json.diffIds(Files.readAllBytes(blobPath(m.config().digest())), m.config().digest());
        if (diffIds.size() != m.layers().size()) {
            throw new IOException("image config " + m.config().digest() + " lists " + diffIds.size() + " diff_ids for "
                    + m.layers().size() + " layers");
        }
        List<Layer> result = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            result.add(new Layer(m.layers().get(i), diffIds.get(i)));
        }
        return result;
    }

    private Path unpacked(Layer layer) throws IOException {
        Path dir = layers.resolve(Digests.hex(layer.diffId()));
        if (layer.blob().mediaType().contains("zstd")) {
            throw new IOException("layer " + layer.blob().digest() + " is zstd-compressed (" + layer.blob().mediaType()
                    + "), which this store cannot unpack");
        }
        ReentrantLock layerLock = LAYER_LOCKS.computeIfAbsent(dir, k -> new ReentrantLock());
        layerLock.lock();
        try {
            if (Files.isDirectory(dir)) {
                return dir;
            }
            // opened under the store lock: a removal meanwhile unlinks the blob, which stays readable
            Unpacking u = locked(() -> {
                Scratch scratch = Scratch.create(tmp, "layer-");
                try {
                    return new Unpacking(scratch, Files.newInputStream(blobPath(layer.blob().digest())));
                } catch (IOException | RuntimeException e) {
                    scratch.close();
                    throw e;
                }
            });
            try (Scratch scratch = u.scratch()) {
                LayerUnpacker.unpack(u.blob(), layer.diffId(), scratch.dir());
                locked(() -> {
                    if (!Files.isDirectory(dir)) { // another process may have unpacked it meanwhile
                        Files.move(scratch.dir(), dir, StandardCopyOption.ATOMIC_MOVE);
                        syncDirectory(layers);
                    }
                    return null;
                });
            }
            return dir;
        } finally {
            layerLock.unlock();
        }
    }

    private ImageManifest readManifest(Descriptor d) throws IOException {
        return Json.manifest(d, Files.readAllBytes(blobPath(d.digest())));
    }

    private void putBlob(String digest, Path staged) throws IOException {
        Path target = blobPath(digest);
        if (Files.exists(target) || !Files.exists(staged)) {
            return; // already stored (shared), or the same file already moved for another descriptor
        }
        try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private List<Entry> readIndex() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (JsonNode m : Json.read(index).path("manifests")) {
            JsonNode name = m.path("annotations").get(Json.REF_NAME);
            JsonNode repoDigest = m.path("annotations").get(Json.REPO_DIGEST);
            entries.add(new Entry(name == null ? null : name.asText(), Json.descriptor(m, MediaTypes.OCI_MANIFEST, "index.json entry"),
                    repoDigest == null ? null : repoDigest.asText()));
        }
        return entries;
    }

    private void writeIndex(List<Entry> entries) throws IOException {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("schemaVersion", 2);
        doc.put("mediaType", MediaTypes.OCI_INDEX);
        doc.putArray("manifests");
        for (Entry e : entries) {
            ObjectNode m = Json.descriptor(e.manifest());
            ObjectNode annotations = Json.MAPPER.createObjectNode();
            if (e.name() != null) {
                annotations.put(Json.REF_NAME, e.name());
            }
            if (e.repoDigest() != null) {
                annotations.put(Json.REPO_DIGEST, e.repoDigest());
            }
            if (!annotations.isEmpty()) {
                m.set("annotations", annotations);
            }
            doc.withArray("manifests").add(m);
        }
        writeAtomically(index, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temp = Files.createTempFile(tmp, target.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(target.getParent());
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every platform can open or sync a directory; the rename itself is atomic
        }
    }

    private <T> T locked(IoCall<T> call) throws IOException {
        lock.lock();
        try {
            if (lock.getHoldCount() > 1) {
                return call.run();
            }
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock fileLock = ch.lock()) {
                return call.run();
            }
        } finally {
            lock.unlock();
        }
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    /** A layer blob and its diff_id, the digest of its uncompressed tar. */
    private record Layer(Descriptor blob, String diffId) {
    }

    private record Unpacking(Scratch scratch, InputStream blob) {
    }

    /**
     * An index entry: a name (null for an image imported without one), its manifest, and the repo
     * digest the name was pulled as when that is not the manifest's (an index, a schema 1 manifest).
     */
    private record Entry(String name, Descriptor manifest, String repoDigest) {
        Entry {
            Objects.requireNonNull(manifest);
        }
    }
}
