package io.kubundle.images.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ImageService;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.images.ImageManifest;
import io.kubundle.images.ImageReference;
import io.kubundle.images.ImageStore;
import io.kubundle.images.RegistryPuller;
import io.kubundle.images.StoredImage;

/**
 * The node's {@link ImageService} ({@code name=oci}) on an {@link ImageStore} in
 * {@code <kubundle.data.dir>/images} (or {@code root} of {@code etc/io.kubundle.images.cfg}), so
 * that every runtime shares the images and they outlive a runtime swap.
 *
 * <p>{@link #pull} of a tag always asks the registry for the tag's manifest, since the kubelet
 * calls it for an image that is here only under {@code imagePullPolicy: Always}: a moved tag is
 * pulled and re-pointed, an unchanged one downloads nothing more. A {@code name@digest} that is
 * here is not asked for.
 */
@Component(configurationPid = ImageServiceComponent.PID, service = ImageService.class,
        property = ContainerRuntime.NAME_PROPERTY + "=" + ImageServiceComponent.NAME)
@Designate(ocd = ImageServiceComponent.Config.class)
public final class ImageServiceComponent implements ImageService {
    static final String PID = "io.kubundle.images";
    static final String NAME = "oci";
    static final String PULL_ERROR = "ErrImagePull";
    static final String INSPECT_ERROR = "ImageInspectError";

    @ObjectClassDefinition(name = "Kubundle image store", description = "Where the node keeps its images")
    public @interface Config {
        @AttributeDefinition(description = "The store's directory (default: <kubundle.data.dir>/images)")
        String root() default "";
    }

    private final ImageStore store;
    private final RegistryPuller puller;
    private final ConfigCache configs = new ConfigCache();
    /** One pull per reference at a time: a second caller waits and then finds the image here. */
    private final ConcurrentMap<String, ReentrantLock> pulls = new ConcurrentHashMap<>();

    @Activate
    public ImageServiceComponent(BundleContext context, Config config) throws IOException {
        this(Path.of(config.root().isBlank() ? dataDir(context) + "/images" : config.root()));
    }

    ImageServiceComponent(Path root) throws IOException {
        this.store = new ImageStore(root);
        this.puller = new RegistryPuller(store);
    }

    private static String dataDir(BundleContext context) {
        String dataDir = context.getProperty("kubundle.data.dir");
        return dataDir == null || dataDir.isBlank() ? System.getProperty("user.home") + "/.kubundle" : dataDir;
    }

    @Override
    public ImageInfo pull(String image, List<RegistryCredentials> credentials) throws RuntimeFailure {
        ImageReference ref;
        try {
            ref = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            throw new RuntimeFailure(PULL_ERROR, e.getMessage(), e);
        }
        ReentrantLock lock = pulls.computeIfAbsent(ref.toString(), k -> new ReentrantLock());
        lock.lock();
        try {
            // a tag is asked of the registry each time (the kubelet pulls a present image only for
            // imagePullPolicy Always): a moved tag is pulled, an unchanged one downloads nothing
            if (ref.digest() == null || status(ref.toString()).isEmpty()) {
                puller.pull(ref.toString(), credentials);
            }
            Optional<ImageInfo> pulled = status(ref.toString());
            if (pulled.isEmpty() || store.layers(ref.toString()).isEmpty()) {
                throw new RuntimeFailure(PULL_ERROR, "image " + ref + " was removed while it was pulled");
            }
            return pulled.get();
        } catch (IOException e) {
            // the kubelet says which image failed ("Failed to pull image ..."): the message says why
            throw new RuntimeFailure(PULL_ERROR, e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<ImageInfo> status(String image) throws RuntimeFailure {
        try {
            Optional<ImageManifest> manifest = store.resolve(image);
            if (manifest.isEmpty()) {
                return Optional.empty();
            }
            String id = manifest.get().manifest().digest();
            return list().stream().filter(i -> i.id().equals(id)).findFirst();
        } catch (IllegalArgumentException e) {
            throw new RuntimeFailure(INSPECT_ERROR, e.getMessage(), e);
        } catch (IOException e) {
            throw new RuntimeFailure(INSPECT_ERROR, "cannot read image " + image + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<ImageInfo> list() throws RuntimeFailure {
        try {
            // the store lists one row per name: an image with several names is one ImageInfo
            Map<String, List<String>> names = new LinkedHashMap<>();
            Map<String, Long> sizes = new LinkedHashMap<>();
            for (StoredImage row : store.list()) {
                List<String> of = names.computeIfAbsent(row.digest(), k -> new ArrayList<>());
                if (row.reference() != null) {
                    of.add(row.reference());
                }
                sizes.put(row.digest(), row.size());
            }
            List<ImageInfo> images = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : names.entrySet()) {
                Optional<ImageManifest> manifest = store.resolve(e.getKey());
                if (manifest.isPresent()) { // else removed since the listing
                    images.add(new ImageInfo(e.getKey(), e.getValue(), sizes.get(e.getKey()),
                            configs.get(store, manifest.get().config().digest())));
                }
            }
            return images;
        } catch (IOException e) {
            throw new RuntimeFailure(INSPECT_ERROR, "cannot list the images: " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(String image) throws RuntimeFailure {
        try {
            store.remove(image);
        } catch (IllegalArgumentException e) {
            throw new RuntimeFailure(INSPECT_ERROR, e.getMessage(), e);
        } catch (IOException e) {
            throw new RuntimeFailure("RemoveImageError", "cannot remove image " + image + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Path> layers(String image) throws RuntimeFailure {
        try {
            return store.layers(image).orElseThrow(() -> new RuntimeFailure(INSPECT_ERROR, "image " + image + " is not on this node"));
        } catch (IllegalArgumentException e) {
            throw new RuntimeFailure(INSPECT_ERROR, e.getMessage(), e);
        } catch (IOException e) {
            throw new RuntimeFailure(INSPECT_ERROR, "cannot unpack the layers of " + image + ": " + e.getMessage(), e);
        }
    }
}
