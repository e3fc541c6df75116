package io.kubundle.controller.statefulset.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;

class StatefulPodsTest {
    private static StatefulSet set(String whenDeleted) {
        PersistentVolumeClaim www = new PersistentVolumeClaimBuilder().withNewMetadata().withName("www").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").endSpec().build();
        StatefulSet set = new StatefulSetBuilder().withNewMetadata().withName("web").withNamespace("default").withUid("u1").endMetadata()
                .withNewSpec().withServiceName("nginx").withNewSelector().withMatchLabels(Map.of("app", "nginx")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "nginx")).endMetadata().withNewSpec().addNewContainer()
                .withName("nginx").withImage("nginx").endContainer().endSpec().endTemplate().withVolumeClaimTemplates(www)
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted(whenDeleted).withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy().endSpec().build();
        set.setApiVersion("apps/v1");
        set.setKind("StatefulSet");
        return set;
    }

    @Test
    void aPodHasAStableIdentityAndItsClaim() {
        StatefulSet set = set("Retain");
        Pod pod = StatefulPods.newPod(set, set.getSpec().getTemplate(), "web-abc", 1);
        assertEquals("web-1", pod.getMetadata().getName());
        assertEquals("web-1", pod.getSpec().getHostname());
        assertEquals("nginx", pod.getSpec().getSubdomain());
        assertEquals(Map.of("app", "nginx", "controller-revision-hash", "web-abc", "statefulset.kubernetes.io/pod-name", "web-1",
                "apps.kubernetes.io/pod-index", "1"), pod.getMetadata().getLabels());
        assertEquals("www-web-1", pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
        assertEquals("u1", pod.getMetadata().getOwnerReferences().get(0).getUid());
    }

    @Test
    void claimsOutliveTheSetUnlessTheRetentionPolicySaysDelete() {
        StatefulSet retained = set("Retain");
        PersistentVolumeClaim claim = StatefulPods.newClaim(retained, retained.getSpec().getVolumeClaimTemplates().get(0), 2);
        assertEquals("www-web-2", claim.getMetadata().getName());
        assertEquals(Map.of("app", "nginx"), claim.getMetadata().getLabels());
        assertNull(claim.getMetadata().getOwnerReferences() == null || claim.getMetadata().getOwnerReferences().isEmpty() ? null : "owned");
        StatefulSet deleted = set("Delete");
        assertEquals("u1", StatefulPods.newClaim(deleted, deleted.getSpec().getVolumeClaimTemplates().get(0), 2).getMetadata()
                .getOwnerReferences().get(0).getUid());
    }
}
