package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ObjectFieldSelectorBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelectorBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.kubundle.api.volume.ObjectReader;
import io.kubundle.api.volume.PodFields;
import io.kubundle.api.volume.VolumeFailure;
import io.kubundle.api.volume.VolumePlugin;
import io.kubundle.api.volume.VolumeRef;
import io.kubundle.api.volume.VolumeRequest;

/**
 * A pod's volumes, made by the volume plugins ({@code io.kubundle.api.volume}): for each volume the
 * plugin of its source type ({@code emptyDir}, {@code configMap}, ...; for a
 * {@code persistentVolumeClaim}, the bound volume's type, resolved here) sets it up in
 * {@code <pod dir>/volumes/<type>/<name>} at every sync, so updates reach running pods. A volume
 * that cannot be made (no plugin for its type, a claim not bound, the plugin's failure) fails with
 * reason {@code FailedMount}.
 */
final class PodVolumes {
    private static final System.Logger LOG = System.getLogger(PodVolumes.class.getName());
    static final String FAILED_MOUNT = "FailedMount";
    private static final TypeReference<Map<String, Object>> TREE = new TypeReference<>() { };
    /** The fields of a PersistentVolume's spec that are not its source. */
    private static final Set<String> PERSISTENT_VOLUME_FIELDS = Set.of("accessModes", "capacity", "claimRef", "mountOptions",
            "nodeAffinity", "persistentVolumeReclaimPolicy", "storageClassName", "volumeMode", "volumeAttributesClassName");

    private final ObjectLookup lookup;
    private final Plugins plugins;
    private final ObjectMapper json;
    private final ObjectReader reader = this::read;

    PodVolumes(ObjectLookup lookup, Plugins plugins, ObjectMapper json) {
        this.lookup = lookup;
        this.plugins = plugins;
        this.json = json;
    }

    /**
     * Makes (or refreshes) every volume of the pod.
     *
     * @return each volume's host path, by name
     */
    Map<String, Path> setUp(Pod pod, Path podDir, EnvResolver.PodFacts facts) throws ConfigError {
        if (pod.getSpec().getVolumes().isEmpty()) {
            return Map.of();
        }
        Map<String, Object> podTree = tree(pod);
        PodFields fields = fields(pod, facts);
        Map<String, Path> paths = new LinkedHashMap<>();
        for (Volume volume : pod.getSpec().getVolumes()) {
            try {
                paths.put(volume.getName(), setUp(pod, podTree, volume, podDir, fields));
            } catch (VolumeFailure e) {
                throw new ConfigError(FAILED_MOUNT, "MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : " + e.getMessage());
            }
        }
        return paths;
    }

    private Path setUp(Pod pod, Map<String, Object> podTree, Volume volume, Path podDir, PodFields fields) throws VolumeFailure {
        Map<String, Object> volumeTree = tree(volume);
        String type = sourceType(volumeTree, Set.of("name"));
        Map<String, Object> persistentVolume = Map.of();
        Map<String, Object> source;
        if ("persistentVolumeClaim".equals(type)) {
            PersistentVolume bound = claimed(pod.getMetadata().getNamespace(), volume.getPersistentVolumeClaim().getClaimName());
            persistentVolume = tree(bound);
            Map<String, Object> spec = map(persistentVolume.get("spec"));
            type = sourceType(spec, PERSISTENT_VOLUME_FIELDS);
            source = map(spec.get(type));
        } else {
            source = map(volumeTree.get(type));
        }
        String chosen = type;
        VolumePlugin plugin = plugins.volumes(type)
                .orElseThrow(() -> new VolumeFailure("no volume plugin for type \"" + chosen + "\" is installed"));
        Path dir = podDir.resolve("volumes").resolve(type).resolve(volume.getName());
        try {
            Files.createDirectories(dir); // marks the volume for tearDown, also when the plugin returns another path
        } catch (IOException e) {
            throw new VolumeFailure(e.getMessage(), e);
        }
        return plugin.setUp(new VolumeRequest(new VolumeRef(type, volume.getName(), pod.getMetadata().getUid(), dir), source,
                persistentVolume, podTree, reader, fields));
    }

    /** The one key of a volume (or volume spec) that is not one of {@code others}; none is an emptyDir, as Kubernetes defaults it. */
    private static String sourceType(Map<String, Object> volume, Set<String> others) throws VolumeFailure {
        List<String> types = volume.entrySet().stream().filter(e -> e.getValue() != null && !others.contains(e.getKey()))
                .map(Map.Entry::getKey).toList();
        if (types.size() > 1) {
            throw new VolumeFailure("more than one volume source: " + String.join(", ", types));
        }
        return types.isEmpty() ? "emptyDir" : types.get(0);
    }

    /**
     * A claim's volume: the claim must be bound to a volume whose claimRef names it back (else the
     * pod waits, retried at each sync).
     */
    private PersistentVolume claimed(String namespace, String claimName) throws VolumeFailure {
        PersistentVolumeClaim claim = lookup(() -> lookup.persistentVolumeClaim(namespace, claimName))
                .orElseThrow(() -> new VolumeFailure("persistentvolumeclaim \"" + claimName + "\" not found"));
        String volumeName = claim.getSpec().getVolumeName();
        String phase = claim.getStatus() == null ? null : claim.getStatus().getPhase();
        if (volumeName == null || volumeName.isEmpty() || !"Bound".equals(phase)) {
            throw new VolumeFailure("persistentvolumeclaim \"" + claimName + "\" not bound");
        }
        PersistentVolume volume = lookup(() -> lookup.persistentVolume(volumeName))
                .orElseThrow(() -> new VolumeFailure("persistentvolume \"" + volumeName + "\" not found"));
        var ref = volume.getSpec().getClaimRef();
        if (ref == null || !claim.getMetadata().getUid().equals(ref.getUid())) {
            throw new VolumeFailure("persistentvolume \"" + volumeName + "\" is not bound to claim \"" + claimName + "\"");
        }
        return volume;
    }

    /** What plugins read through the kubelet: the objects the kubelet itself reads for pods. */
    private Optional<Map<String, Object>> read(String apiVersion, String kind, String namespace, String name) throws VolumeFailure {
        Optional<?> found = switch ("v1".equals(apiVersion) ? kind : "") {
            case "ConfigMap" -> lookup(() -> lookup.configMap(namespace, name));
            case "Secret" -> lookup(() -> lookup.secret(namespace, name));
            case "PersistentVolumeClaim" -> lookup(() -> lookup.persistentVolumeClaim(namespace, name));
            case "PersistentVolume" -> lookup(() -> lookup.persistentVolume(name));
            default -> throw new VolumeFailure("the kubelet does not read " + apiVersion + " " + kind);
        };
        return found.map(this::tree);
    }

    private interface Lookup<T> {
        Optional<T> get() throws IOException;
    }

    private static <T> Optional<T> lookup(Lookup<T> lookup) throws VolumeFailure {
        try {
            return lookup.get();
        } catch (IOException e) {
            throw new VolumeFailure(e.getMessage(), e);
        }
    }

    /** The downward API as the environment has it, so both agree. */
    private static PodFields fields(Pod pod, EnvResolver.PodFacts facts) {
        return new PodFields() {
            @Override
            public String field(String fieldPath) throws VolumeFailure {
                try {
                    return EnvResolver.fieldValue(pod, new ObjectFieldSelectorBuilder().withFieldPath(fieldPath).build(), facts);
                } catch (ConfigError e) {
                    throw new VolumeFailure(e.getMessage());
                }
            }

            @Override
            public String resource(String container, String resource, String divisor) throws VolumeFailure {
                try {
                    return EnvResolver.resourceValue(pod, pod.getSpec().getContainers().get(0), new ResourceFieldSelectorBuilder()
                            .withContainerName(container).withResource(resource).withDivisor(divisor == null ? null : new Quantity(divisor))
                            .build(), facts);
                } catch (ConfigError e) {
                    throw new VolumeFailure(e.getMessage());
                }
            }
        };
    }

    private Map<String, Object> tree(Object object) {
        return json.convertValue(object, TREE);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    /**
     * Tears the pod's volumes down, each through the plugin of its type (found from the directory
     * {@code volumes/<type>/<name>}, so this works for pods long gone), then unmounts whatever is
     * still mounted under the pod's directory (a plugin that failed or is not installed) and
     * deletes it.
     */
    void tearDown(String uid, Path podDir) throws IOException {
        for (Path typeDir : children(podDir.resolve("volumes"))) {
            String type = typeDir.getFileName().toString();
            Optional<VolumePlugin> plugin = plugins.volumes(type);
            for (Path dir : children(typeDir)) {
                VolumeRef volume = new VolumeRef(type, dir.getFileName().toString(), uid, dir);
                if (plugin.isEmpty()) {
                    LOG.log(System.Logger.Level.INFO, "no volume plugin for type \"{0}\": unmounting {1} by the kubelet", type, dir);
                    continue;
                }
                try {
                    plugin.get().tearDown(volume);
                } catch (VolumeFailure | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "tearing down volume " + dir + ": " + e.getMessage());
                }
            }
        }
        List<Path> mounts = new ArrayList<>(mountsUnder(podDir));
        mounts.sort(Comparator.comparing(Path::toString).reversed());
        for (Path mount : mounts) {
            Commands.run(List.of("umount", mount.toString()));
        }
        deleteTree(podDir);
    }

    private static List<Path> children(Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                entries.forEach(children::add);
            }
        }
        return children;
    }

    static List<Path> mountsUnder(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        List<Path> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] fields = line.split(" ");
            if (fields.length > 1) {
                Path mountPoint = Path.of(fields[1].replace("\\040", " "));
                if (mountPoint.startsWith(root)) {
                    mounts.add(mountPoint);
                }
            }
        }
        return mounts;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Bytes, as Kubernetes' quantities give them. */
    static long bytes(Quantity quantity) {
        return quantity == null ? 0 : Quantity.getAmountInBytes(quantity).setScale(0, java.math.RoundingMode.CEILING)
                .min(BigDecimal.valueOf(Long.MAX_VALUE)).longValue();
    }
}
