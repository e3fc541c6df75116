package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

/**
 * Makes a pod's volumes on the host, under {@code <pod dir>/volumes/<name>}, for the runtime to
 * bind-mount: {@code emptyDir} (a directory, or tmpfs for {@code medium: Memory} with its
 * {@code sizeLimit}), {@code hostPath} (the host's path, checked or made by {@code type}),
 * {@code configMap}, {@code secret} (always on tmpfs), {@code downwardAPI} and {@code projected}
 * (written by the {@link AtomicWriter}; called again on every sync, so updates reach running
 * pods), {@code persistentVolumeClaim} (the bound volume's {@code hostPath} or {@code local} path).
 * A volume that cannot be made fails with reason {@code FailedMount}.
 */
final class PodVolumes {
    static final String FAILED_MOUNT = "FailedMount";

    private final ObjectLookup lookup;

    PodVolumes(ObjectLookup lookup) {
        this.lookup = lookup;
    }

    /**
     * Makes (or refreshes) every volume of the pod.
     *
     * @return each volume's host path, by name
     */
    Map<String, Path> setUp(Pod pod, Path podDir, EnvResolver.PodFacts facts) throws ConfigError, IOException {
        Map<String, Path> paths = new LinkedHashMap<>();
        for (Volume volume : pod.getSpec().getVolumes()) {
            Path dir = podDir.resolve("volumes").resolve(volume.getName());
            try {
                paths.put(volume.getName(), setUp(pod, volume, dir, facts));
            } catch (ConfigError e) {
                throw new ConfigError(FAILED_MOUNT, "MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : " + e.getMessage());
            }
        }
        return paths;
    }

    private Path setUp(Pod pod, Volume volume, Path dir, EnvResolver.PodFacts facts) throws ConfigError, IOException {
        String namespace = pod.getMetadata().getNamespace();
        if (volume.getEmptyDir() != null) {
            Files.createDirectories(dir);
            if ("Memory".equals(volume.getEmptyDir().getMedium())) {
                Quantity limit = volume.getEmptyDir().getSizeLimit();
                mountTmpfs(dir, limit == null ? null : Quantity.getAmountInBytes(limit).toBigInteger().toString());
            }
            Files.setPosixFilePermissions(dir, AtomicWriter.permissions(0777));
            return dir;
        }
        if (volume.getHostPath() != null) {
            return hostPath(volume.getHostPath());
        }
        if (volume.getPersistentVolumeClaim() != null) {
            return claimed(namespace, volume.getPersistentVolumeClaim().getClaimName());
        }
        if (volume.getConfigMap() != null) {
            var source = volume.getConfigMap();
            Optional<ConfigMap> map = lookup.configMap(namespace, source.getName());
            if (map.isEmpty() && !Boolean.TRUE.equals(source.getOptional())) {
                throw new ConfigError(FAILED_MOUNT, "configmap \"" + source.getName() + "\" not found");
            }
            Map<String, byte[]> data = map.map(PodVolumes::configMapData).orElse(Map.of());
            AtomicWriter.write(dir, project(data, source.getItems(), mode(source.getDefaultMode()), "ConfigMap", source.getName(),
                    Boolean.TRUE.equals(source.getOptional())));
            return dir;
        }
        if (volume.getSecret() != null) {
            var source = volume.getSecret();
            Optional<Secret> secret = lookup.secret(namespace, source.getSecretName());
            if (secret.isEmpty() && !Boolean.TRUE.equals(source.getOptional())) {
                throw new ConfigError(FAILED_MOUNT, "secret \"" + source.getSecretName() + "\" not found");
            }
            Files.createDirectories(dir);
            mountTmpfs(dir, null); // secrets never touch the disk
            Map<String, byte[]> data = secret.map(PodVolumes::secretData).orElse(Map.of());
            AtomicWriter.write(dir, project(data, source.getItems(), mode(source.getDefaultMode()), "Secret", source.getSecretName(),
                    Boolean.TRUE.equals(source.getOptional())));
            return dir;
        }
        if (volume.getDownwardAPI() != null) {
            Map<String, AtomicWriter.Payload> files = new LinkedHashMap<>();
            downward(pod, volume.getDownwardAPI().getItems(), mode(volume.getDownwardAPI().getDefaultMode()), facts, files);
            AtomicWriter.write(dir, files);
            return dir;
        }
        if (volume.getProjected() != null) {
            int defaultMode = mode(volume.getProjected().getDefaultMode());
            Map<String, AtomicWriter.Payload> files = new LinkedHashMap<>();
            for (VolumeProjection projection : volume.getProjected().getSources()) {
                files.putAll(projection(pod, projection, defaultMode, facts));
            }
            AtomicWriter.write(dir, files);
            return dir;
        }
        throw new ConfigError(FAILED_MOUNT, "volume type not supported on this node yet (supported: emptyDir, hostPath, configMap, "
                + "secret, downwardAPI, projected, persistentVolumeClaim)");
    }

    /**
     * A claim's volume: the claim must be bound to a volume whose claimRef names it back (else the
     * pod waits, retried at each sync), of type {@code hostPath} (checked or made by its type, as
     * a pod's own hostPath) or {@code local} (an existing path).
     */
    private Path claimed(String namespace, String claimName) throws ConfigError, IOException {
        PersistentVolumeClaim claim = lookup.persistentVolumeClaim(namespace, claimName)
                .orElseThrow(() -> new ConfigError(FAILED_MOUNT, "persistentvolumeclaim \"" + claimName + "\" not found"));
        String volumeName = claim.getSpec().getVolumeName();
        String phase = claim.getStatus() == null ? null : claim.getStatus().getPhase();
        if (volumeName == null || volumeName.isEmpty() || !"Bound".equals(phase)) {
            throw new ConfigError(FAILED_MOUNT, "persistentvolumeclaim \"" + claimName + "\" not bound");
        }
        PersistentVolume volume = lookup.persistentVolume(volumeName)
                .orElseThrow(() -> new ConfigError(FAILED_MOUNT, "persistentvolume \"" + volumeName + "\" not found"));
        var ref = volume.getSpec().getClaimRef();
        if (ref == null || !claim.getMetadata().getUid().equals(ref.getUid())) {
            throw new ConfigError(FAILED_MOUNT, "persistentvolume \"" + volumeName + "\" is not bound to claim \"" + claimName + "\"");
        }
        if (volume.getSpec().getHostPath() != null) {
            return hostPath(volume.getSpec().getHostPath());
        }
        if (volume.getSpec().getLocal() != null) {
            Path path = Path.of(volume.getSpec().getLocal().getPath());
            if (!Files.exists(path)) {
                throw new ConfigError(FAILED_MOUNT, "local volume path \"" + path + "\" does not exist");
            }
            return path;
        }
        throw new ConfigError(FAILED_MOUNT, "persistent volume type not supported on this node yet (supported: hostPath, local)");
    }

    private Map<String, AtomicWriter.Payload> projection(Pod pod, VolumeProjection projection, int defaultMode,
            EnvResolver.PodFacts facts) throws ConfigError, IOException {
        String namespace = pod.getMetadata().getNamespace();
        Map<String, AtomicWriter.Payload> files = new LinkedHashMap<>();
        if (projection.getConfigMap() != null) {
            var source = projection.getConfigMap();
            Optional<ConfigMap> map = lookup.configMap(namespace, source.getName());
            if (map.isEmpty() && !Boolean.TRUE.equals(source.getOptional())) {
                throw new ConfigError(FAILED_MOUNT, "configmap \"" + source.getName() + "\" not found");
            }
            files.putAll(project(map.map(PodVolumes::configMapData).orElse(Map.of()), source.getItems(), defaultMode, "ConfigMap",
                    source.getName(), Boolean.TRUE.equals(source.getOptional())));
        } else if (projection.getSecret() != null) {
            var source = projection.getSecret();
            Optional<Secret> secret = lookup.secret(namespace, source.getName());
            if (secret.isEmpty() && !Boolean.TRUE.equals(source.getOptional())) {
                throw new ConfigError(FAILED_MOUNT, "secret \"" + source.getName() + "\" not found");
            }
            files.putAll(project(secret.map(PodVolumes::secretData).orElse(Map.of()), source.getItems(), defaultMode, "Secret",
                    source.getName(), Boolean.TRUE.equals(source.getOptional())));
        } else if (projection.getDownwardAPI() != null) {
            downward(pod, projection.getDownwardAPI().getItems(), defaultMode, facts, files);
        } else {
            throw new ConfigError(FAILED_MOUNT, "projected source not supported on this node yet (supported: configMap, secret, "
                    + "downwardAPI)");
        }
        return files;
    }

    private static void downward(Pod pod, List<DownwardAPIVolumeFile> items, int defaultMode, EnvResolver.PodFacts facts,
            Map<String, AtomicWriter.Payload> files) throws ConfigError {
        for (DownwardAPIVolumeFile item : items) {
            String value;
            if (item.getFieldRef() != null) {
                String path = item.getFieldRef().getFieldPath();
                if ("metadata.labels".equals(path) || "metadata.annotations".equals(path)) {
                    Map<String, String> values = "metadata.labels".equals(path) ? pod.getMetadata().getLabels()
                            : pod.getMetadata().getAnnotations();
                    StringBuilder text = new StringBuilder();
                    new java.util.TreeMap<>(values == null ? Map.<String, String>of() : values)
                            .forEach((k, v) -> text.append(k).append("=\"").append(v.replace("\"", "\\\"")).append("\"\n"));
                    value = text.toString().strip();
                } else {
                    value = EnvResolver.fieldValue(pod, item.getFieldRef(), facts);
                }
            } else if (item.getResourceFieldRef() != null) {
                var container = pod.getSpec().getContainers().get(0);
                value = EnvResolver.resourceValue(pod, container, item.getResourceFieldRef(), facts);
            } else {
                throw new ConfigError(FAILED_MOUNT, "downwardAPI item " + item.getPath() + " names no field");
            }
            files.put(item.getPath(), new AtomicWriter.Payload(value.getBytes(StandardCharsets.UTF_8),
                    item.getMode() == null ? defaultMode : item.getMode()));
        }
    }

    private static Map<String, AtomicWriter.Payload> project(Map<String, byte[]> data, List<KeyToPath> items, int defaultMode,
            String kind, String name, boolean optional) throws ConfigError {
        Map<String, AtomicWriter.Payload> files = new LinkedHashMap<>();
        if (items == null || items.isEmpty()) {
            data.forEach((key, value) -> files.put(key, new AtomicWriter.Payload(value, defaultMode)));
            return files;
        }
        for (KeyToPath item : items) {
            byte[] value = data.get(item.getKey());
            if (value == null) {
                if (optional) {
                    continue;
                }
                throw new ConfigError(FAILED_MOUNT, ("ConfigMap".equals(kind) ? "configmap references non-existent config key: "
                        : "references non-existent secret key: ") + item.getKey() + " (" + kind + " " + name + ")");
            }
            files.put(item.getPath(), new AtomicWriter.Payload(value, item.getMode() == null ? defaultMode : item.getMode()));
        }
        return files;
    }

    private static Map<String, byte[]> configMapData(ConfigMap map) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (map.getData() != null) {
            map.getData().forEach((key, value) -> data.put(key, value.getBytes(StandardCharsets.UTF_8)));
        }
        if (map.getBinaryData() != null) {
            map.getBinaryData().forEach((key, value) -> data.put(key, Base64.getDecoder().decode(value)));
        }
        return data;
    }

    private static Map<String, byte[]> secretData(Secret secret) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> data.put(key, Base64.getDecoder().decode(value)));
        }
        if (secret.getStringData() != null) {
            secret.getStringData().forEach((key, value) -> data.put(key, value.getBytes(StandardCharsets.UTF_8)));
        }
        return data;
    }

    private static int mode(Integer mode) {
        return mode == null ? 0644 : mode;
    }

    /** A hostPath volume: the host's path itself, checked (or made) as its {@code type} says. */
    static Path hostPath(HostPathVolumeSource source) throws ConfigError, IOException {
        Path path = Path.of(source.getPath());
        String type = source.getType() == null ? "" : source.getType();
        boolean exists = Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.exists(path);
        switch (type) {
            case "" -> { }
            case "DirectoryOrCreate" -> {
                if (!exists) {
                    Files.createDirectories(path);
                    Files.setPosixFilePermissions(path, AtomicWriter.permissions(0755));
                } else if (!Files.isDirectory(path)) {
                    throw new ConfigError(FAILED_MOUNT, "hostPath type check failed: " + path + " is not a directory");
                }
            }
            case "Directory" -> require(Files.isDirectory(path), path, "a directory");
            case "FileOrCreate" -> {
                if (!exists) {
                    if (!Files.isDirectory(path.getParent())) {
                        throw new ConfigError(FAILED_MOUNT, "hostPath type check failed: parent of " + path + " does not exist");
                    }
                    Files.createFile(path);
                    Files.setPosixFilePermissions(path, AtomicWriter.permissions(0644));
                } else if (!Files.isRegularFile(path)) {
                    throw new ConfigError(FAILED_MOUNT, "hostPath type check failed: " + path + " is not a file");
                }
            }
            case "File" -> require(Files.isRegularFile(path), path, "a file");
            case "Socket", "CharDevice", "BlockDevice" -> {
                require(exists, path, "a " + type);
                PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class);
                boolean ok = attributes.isOther() && switch (type) {
                    case "Socket" -> fileType(path).equals("socket");
                    case "CharDevice" -> fileType(path).equals("character special file");
                    default -> fileType(path).equals("block special file");
                };
                require(ok, path, "a " + type);
            }
            default -> throw new ConfigError(FAILED_MOUNT, "hostPath type " + type + " is not valid");
        }
        if (!Files.exists(path)) {
            // type "" does no check, but the runtime cannot bind-mount nothing
            throw new ConfigError(FAILED_MOUNT, "hostPath " + path + " does not exist");
        }
        return path;
    }

    private static String fileType(Path path) throws IOException {
        return Commands.run(List.of("stat", "-c", "%F", path.toString())).strip();
    }

    private static void require(boolean ok, Path path, String what) throws ConfigError {
        if (!ok) {
            throw new ConfigError(FAILED_MOUNT, "hostPath type check failed: " + path + " is not " + what);
        }
    }

    private static void mountTmpfs(Path dir, String sizeBytes) throws IOException {
        if (mounted(dir)) {
            return;
        }
        String options = "mode=0777" + (sizeBytes == null ? "" : ",size=" + sizeBytes);
        Commands.run(List.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString()));
    }

    /** Unmounts every tmpfs the pod's volumes have and deletes the pod's directory. */
    static void tearDown(Path podDir) throws IOException {
        List<Path> mounts = new ArrayList<>(mountsUnder(podDir));
        mounts.sort(java.util.Comparator.comparing(Path::toString).reversed());
        for (Path mount : mounts) {
            Commands.run(List.of("umount", mount.toString()));
        }
        AtomicWriter.deleteTree(podDir);
    }

    private static boolean mounted(Path dir) throws IOException {
        return mountsUnder(dir).contains(dir.toAbsolutePath().normalize());
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

    /** Bytes, as Kubernetes' quantities give them. */
    static long bytes(Quantity quantity) {
        return quantity == null ? 0 : Quantity.getAmountInBytes(quantity).setScale(0, java.math.RoundingMode.CEILING)
                .min(BigDecimal.valueOf(Long.MAX_VALUE)).longValue();
    }
}
