package io.kubundle.controller.statefulset.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kubundle.controller.support.Owners;
import io.kubundle.controller.support.Revisions;

/** A StatefulSet's pods and claims: ordinal names, stable identity, one claim per template and ordinal. */
final class StatefulPods {
    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

    private StatefulPods() {
    }

    static String podName(String set, int ordinal) {
        return set + "-" + ordinal;
    }

    /** The ordinal of a pod named {@code <set>-<n>}, or -1 if the name is not one of the set's. */
    static int ordinal(String set, String podName) {
        String prefix = set + "-";
        if (!podName.startsWith(prefix)) {
            return -1;
        }
        String digits = podName.substring(prefix.length());
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)
                || (digits.length() > 1 && digits.charAt(0) == '0')) {
            return -1;
        }
        return Integer.parseInt(digits);
    }

    /** The claim of a volumeClaimTemplate for an ordinal: {@code <template>-<set>-<ordinal>}. */
    static String claimName(String template, String set, int ordinal) {
        return template + "-" + podName(set, ordinal);
    }

    /**
     * The pod at an ordinal made from a template: its name, hostname and subdomain (the set's
     * serviceName) for a stable DNS identity, labels naming it and its revision, a volume for each
     * claim template pointing at its claim, and the set as controller.
     */
    static Pod newPod(StatefulSet set, PodTemplateSpec template, String revisionName, int ordinal) {
        String name = podName(set.getMetadata().getName(), ordinal);
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put(Revisions.HASH_LABEL, revisionName);
        labels.put(POD_NAME_LABEL, name);
        labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
        PodSpec spec = new PodSpecBuilder(template.getSpec()).build();
        spec.setHostname(name);
        if (set.getSpec().getServiceName() != null && !set.getSpec().getServiceName().isEmpty()) {
            spec.setSubdomain(set.getSpec().getServiceName());
        }
        List<Volume> volumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
        for (PersistentVolumeClaim claim : claimTemplates(set)) {
            String volume = claim.getMetadata().getName();
            volumes.removeIf(v -> v.getName().equals(volume));
            volumes.add(new VolumeBuilder().withName(volume).withNewPersistentVolumeClaim()
                    .withClaimName(claimName(volume, set.getMetadata().getName(), ordinal)).endPersistentVolumeClaim().build());
        }
        spec.setVolumes(volumes.isEmpty() ? null : volumes);
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(set.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .withOwnerReferences(Owners.controllerReference(set)).endMetadata().withSpec(spec).build();
    }

    /**
     * The claim of a template for an ordinal, labelled with the set's selector labels; owned by
     * the set only if its persistentVolumeClaimRetentionPolicy says {@code whenDeleted: Delete}
     * (by default claims outlive the set and its pods).
     */
    static PersistentVolumeClaim newClaim(StatefulSet set, PersistentVolumeClaim template, int ordinal) {
        Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
        if (set.getSpec().getSelector() != null && set.getSpec().getSelector().getMatchLabels() != null) {
            labels.putAll(set.getSpec().getSelector().getMatchLabels());
        }
        PersistentVolumeClaimBuilder claim = new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName(claimName(template.getMetadata().getName(), set.getMetadata().getName(), ordinal))
                .withNamespace(set.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(template.getMetadata().getAnnotations()).endMetadata().withSpec(template.getSpec());
        if (deletesWith(set, "whenDeleted")) {
            claim.editMetadata().withOwnerReferences(Owners.controllerReference(set)).endMetadata();
        }
        return claim.build();
    }

    static List<PersistentVolumeClaim> claimTemplates(StatefulSet set) {
        return set.getSpec().getVolumeClaimTemplates() == null ? List.of() : set.getSpec().getVolumeClaimTemplates();
    }

    /** Whether the retention policy says Delete for this case ({@code whenDeleted} or {@code whenScaled}). */
    static boolean deletesWith(StatefulSet set, String when) {
        var policy = set.getSpec().getPersistentVolumeClaimRetentionPolicy();
        if (policy == null) {
            return false;
        }
        return "Delete".equals(when.equals("whenDeleted") ? policy.getWhenDeleted() : policy.getWhenScaled());
    }
}
