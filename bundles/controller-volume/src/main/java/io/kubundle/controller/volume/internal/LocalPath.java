package io.kubundle.controller.volume.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * The local-path provisioner (k3s' local-path-provisioner, in-process): a claim's volume is a
 * {@code hostPath} directory {@code <storage dir>/<pv name>} on the node its first pod was
 * scheduled to, pinned there by node affinity. The kubelet makes the directory
 * ({@code DirectoryOrCreate}); this class only describes the volume, and removes the directory
 * when it lives in this process's file system.
 */
final class LocalPath {
    private final Path storageDir;

    LocalPath(Path storageDir) {
        this.storageDir = storageDir.toAbsolutePath().normalize();
    }

    /** Kubernetes' name for a provisioned volume: one per claim uid, so a retry never makes a second one. */
    static String volumeName(PersistentVolumeClaim claim) {
        return "pvc-" + claim.getMetadata().getUid();
    }

    /** The volume for the claim on the node (its {@code kubernetes.io/hostname}), pre-bound to the claim. */
    PersistentVolume volumeFor(PersistentVolumeClaim claim, String className, String reclaimPolicy, Binder.Node node) {
        String name = volumeName(claim);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(Binder.PROVISIONED_BY, StorageClasses.PROVISIONER);
        annotations.put(Binder.BOUND_BY_CONTROLLER, "yes");
        String hostname = node.labels().getOrDefault(Binder.HOSTNAME, node.name());
        Quantity size = claim.getSpec().getResources() == null || claim.getSpec().getResources().getRequests() == null ? null
                : claim.getSpec().getResources().getRequests().get("storage");
        return new PersistentVolumeBuilder()
                .withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", size == null ? new Quantity("0") : size))
                .withAccessModes(claim.getSpec().getAccessModes())
                .withPersistentVolumeReclaimPolicy(reclaimPolicy)
                .withStorageClassName(className)
                .withVolumeMode(Binder.volumeMode(claim.getSpec().getVolumeMode()))
                .withNewHostPath().withPath(storageDir.resolve(name).toString()).withType("DirectoryOrCreate").endHostPath()
                .withClaimRef(new ObjectReferenceBuilder().withApiVersion("v1").withKind("PersistentVolumeClaim")
                        .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                        .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion()).build())
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey(Binder.HOSTNAME).withOperator("In").withValues(List.of(hostname))
                .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
                .endSpec().build();
    }

    /**
     * Removes the data of a volume this provisioner made, when its directory is in this process's
     * file system (master and node in one process, {@code up}); elsewhere it is the node's, and
     * stays. Only a directory right under the storage directory, named as the volume, is removed.
     *
     * @return whether a directory was removed
     */
    boolean removeData(PersistentVolume volume) throws IOException {
        if (volume.getSpec().getHostPath() == null
                || !StorageClasses.PROVISIONER.equals(Binder.annotation(volume.getMetadata().getAnnotations(), Binder.PROVISIONED_BY))) {
            return false;
        }
        Path dir = Path.of(volume.getSpec().getHostPath().getPath()).toAbsolutePath().normalize();
        if (!dir.equals(storageDir.resolve(volume.getMetadata().getName())) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (var walk = Files.walk(dir)) { // does not follow links: a link a pod left is removed, not its target
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        return true;
    }
}
