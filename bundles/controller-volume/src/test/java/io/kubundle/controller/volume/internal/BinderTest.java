package io.kubundle.controller.volume.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

class BinderTest {
    private static final Binder.Node NODE_A = new Binder.Node("a", Map.of(Binder.HOSTNAME, "a"));
    private static final Binder.Node NODE_B = new Binder.Node("b", Map.of(Binder.HOSTNAME, "b"));

    static PersistentVolume volume(String name, String size, String className, String... modes) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withCapacity(Map.of("storage", new Quantity(size))).withStorageClassName(className).withAccessModes(modes)
                .withNewHostPath().withPath("/data/" + name).endHostPath().endSpec()
                .withNewStatus().withPhase(Binder.AVAILABLE).endStatus().build();
    }

    static PersistentVolumeClaim claim(String name, String size, String className, String... modes) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name)
                .endMetadata().withNewSpec().withStorageClassName(className).withAccessModes(modes).withNewResources()
                .addToRequests("storage", new Quantity(size)).endResources().endSpec().build();
    }

    private static PersistentVolume boundTo(PersistentVolume volume, PersistentVolumeClaim claim, String uid) {
        return new PersistentVolumeBuilder(volume).editSpec().withNewClaimRef().withNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName()).withUid(uid).endClaimRef().endSpec().build();
    }

    private static PersistentVolume pinned(PersistentVolume volume, String node) {
        return new PersistentVolumeBuilder(volume).editSpec().withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey(Binder.HOSTNAME).withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build();
    }

    @Test
    void theSmallestVolumeThatFitsIsChosen() {
        PersistentVolumeClaim claim = claim("c", "1Gi", "manual", "ReadWriteOnce");
        PersistentVolume small = volume("small", "500Mi", "manual", "ReadWriteOnce");
        PersistentVolume big = volume("big", "10Gi", "manual", "ReadWriteOnce", "ReadOnlyMany");
        PersistentVolume fit = volume("fit", "1Gi", "manual", "ReadWriteOnce");
        assertSame(fit, Binder.findBest(claim, List.of(small, big, fit), false, null));
        assertSame(big, Binder.findBest(claim, List.of(small, big), false, null));
        assertNull(Binder.findBest(claim, List.of(small), false, null));
    }

    @Test
    void classAccessModesVolumeModeSelectorAndPhaseMustFit() {
        PersistentVolumeClaim claim = claim("c", "1Gi", "manual", "ReadWriteOnce", "ReadOnlyMany");
        assertNull(Binder.findBest(claim, List.of(volume("v", "1Gi", "other", "ReadWriteOnce", "ReadOnlyMany")), false, null));
        assertNull(Binder.findBest(claim, List.of(volume("v", "1Gi", "manual", "ReadWriteOnce")), false, null), "all modes offered");
        PersistentVolume block = new PersistentVolumeBuilder(volume("v", "1Gi", "manual", "ReadWriteOnce", "ReadOnlyMany")).editSpec()
                .withVolumeMode("Block").endSpec().build();
        assertNull(Binder.findBest(claim, List.of(block), false, null));
        PersistentVolume released = new PersistentVolumeBuilder(volume("v", "1Gi", "manual", "ReadWriteOnce", "ReadOnlyMany"))
                .editStatus().withPhase(Binder.RELEASED).endStatus().build();
        assertNull(Binder.findBest(claim, List.of(released), false, null));
        PersistentVolume labelled = new PersistentVolumeBuilder(volume("v", "1Gi", "manual", "ReadWriteOnce", "ReadOnlyMany"))
                .editMetadata().addToLabels("tier", "fast").endMetadata().build();
        PersistentVolumeClaim selecting = new PersistentVolumeClaimBuilder(claim).editSpec().withNewSelector()
                .addToMatchLabels("tier", "fast").endSelector().endSpec().build();
        PersistentVolumeClaim selectingSlow = new PersistentVolumeClaimBuilder(claim).editSpec().withNewSelector()
                .addToMatchLabels("tier", "slow").endSelector().endSpec().build();
        assertSame(labelled, Binder.findBest(selecting, List.of(labelled), false, null));
        assertNull(Binder.findBest(selectingSlow, List.of(labelled), false, null));
        // no class on either side matches; a claim without a class does not take a volume of one
        PersistentVolume classless = new PersistentVolumeBuilder(volume("none", "1Gi", null, "ReadWriteOnce")).build();
        PersistentVolume classy = volume("classy", "1Gi", "manual", "ReadWriteOnce");
        assertSame(classless, Binder.findBest(claim("c", "1Gi", null, "ReadWriteOnce"), List.of(classy, classless), false, null));
        assertNull(Binder.findBest(claim("c", "1Gi", "", "ReadWriteOnce"), List.of(classy), false, null));
    }

    @Test
    void aVolumePreBoundToTheClaimWinsAndOthersClaimsAreSkipped() {
        PersistentVolumeClaim claim = claim("c", "1Gi", "manual", "ReadWriteOnce");
        PersistentVolume mine = boundTo(volume("mine", "5Gi", "manual", "ReadWriteOnce"), claim, "");
        PersistentVolume theirs = boundTo(volume("theirs", "1Gi", "manual", "ReadWriteOnce"), claim("d", "1Gi", "manual"), "uid-d");
        PersistentVolume free = volume("free", "1Gi", "manual", "ReadWriteOnce");
        assertSame(mine, Binder.findBest(claim, List.of(theirs, free, mine), false, null));
        assertSame(free, Binder.findBest(claim, List.of(theirs, free), false, null));
        PersistentVolume oldClaim = boundTo(volume("old", "1Gi", "manual", "ReadWriteOnce"), claim, "uid-of-an-earlier-c");
        assertNull(Binder.findBest(claim, List.of(oldClaim), false, null), "a Released volume of a deleted claim of the same name");
    }

    @Test
    void delayedBindingWaitsForANodeAndThenHonoursNodeAffinity() {
        PersistentVolumeClaim claim = claim("c", "1Gi", "local", "ReadWriteOnce");
        PersistentVolume onB = pinned(volume("on-b", "1Gi", "local", "ReadWriteOnce"), "b");
        assertNull(Binder.findBest(claim, List.of(onB), true, null));
        assertNull(Binder.findBest(claim, List.of(onB), true, NODE_A));
        assertSame(onB, Binder.findBest(claim, List.of(onB), true, NODE_B));
        assertEquals(new Binder.Wait("WaitForFirstConsumer", "waiting for first consumer to be created before binding", false),
                Binder.claimStep(claim, List.of(onB), null, Binder.Mode.WAIT_FOR_FIRST_CONSUMER, StorageClasses.PROVISIONER, true, null));
        assertEquals(new Binder.Provision(NODE_A), Binder.claimStep(claim, List.of(onB), null, Binder.Mode.WAIT_FOR_FIRST_CONSUMER,
                StorageClasses.PROVISIONER, true, NODE_A));
        assertEquals(new Binder.Bind(onB), Binder.claimStep(claim, List.of(onB), null, Binder.Mode.WAIT_FOR_FIRST_CONSUMER,
                StorageClasses.PROVISIONER, true, NODE_B));
    }

    @Test
    void unboundClaimsWaitWithKubernetesReasons() {
        PersistentVolumeClaim noClass = claim("c", "1Gi", "", "ReadWriteOnce");
        Binder.ClaimStep step = Binder.claimStep(noClass, List.of(), null, Binder.Mode.IMMEDIATE, null, false, null);
        assertEquals("no persistent volumes available for this claim and no storage class is set", ((Binder.Wait) step).message());
        step = Binder.claimStep(claim("c", "1Gi", "gold"), List.of(), null, Binder.Mode.IMMEDIATE, null, false, null);
        assertEquals("storageclass.storage.k8s.io \"gold\" not found", ((Binder.Wait) step).message());
        step = Binder.claimStep(claim("c", "1Gi", "ebs"), List.of(), null, Binder.Mode.IMMEDIATE, "ebs.csi.aws.com", false, null);
        assertEquals("ExternalProvisioning", ((Binder.Wait) step).reason());
        step = Binder.claimStep(claim("c", "1Gi", "fast"), List.of(), null, Binder.Mode.IMMEDIATE, StorageClasses.PROVISIONER, true, null);
        assertEquals("ProvisioningFailed", ((Binder.Wait) step).reason(), "local-path needs a node");
    }

    @Test
    void aClaimNamingAVolumeBindsToItIfItFits() {
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder(claim("c", "1Gi", "manual", "ReadWriteOnce")).editSpec()
                .withVolumeName("v").endSpec().build();
        PersistentVolume volume = volume("v", "2Gi", "manual", "ReadWriteOnce");
        assertEquals(new Binder.Bind(volume), Binder.claimStep(claim, List.of(volume), volume, Binder.Mode.IMMEDIATE, null, false, null));
        PersistentVolume small = volume("v", "1Mi", "manual", "ReadWriteOnce");
        assertEquals(new Binder.Wait("VolumeMismatch", "requested PV is too small", true),
                Binder.claimStep(claim, List.of(small), small, Binder.Mode.IMMEDIATE, null, false, null));
        assertEquals("FailedBinding", ((Binder.Wait) Binder.claimStep(claim, List.of(), null, Binder.Mode.IMMEDIATE, null, false, null))
                .reason(), "a volume not made yet");
        PersistentVolume taken = boundTo(volume, claim("d", "1Gi", "manual"), "uid-d");
        assertInstanceOf(Binder.Wait.class, Binder.claimStep(claim, List.of(taken), taken, Binder.Mode.IMMEDIATE, null, false, null));
    }

    @Test
    void aBoundClaimIsKeptBoundOrLost() {
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder(claim("c", "1Gi", "manual", "ReadWriteOnce")).editMetadata()
                .addToAnnotations(Binder.BIND_COMPLETED, "yes").endMetadata().editSpec().withVolumeName("v").endSpec().build();
        PersistentVolume volume = boundTo(volume("v", "1Gi", "manual", "ReadWriteOnce"), claim, "uid-c");
        assertEquals(new Binder.Bind(volume), Binder.claimStep(claim, List.of(volume), volume, Binder.Mode.IMMEDIATE, null, false, null));
        assertInstanceOf(Binder.Lost.class, Binder.claimStep(claim, List.of(), null, Binder.Mode.IMMEDIATE, null, false, null));
        PersistentVolume stolen = boundTo(volume, claim("d", "1Gi", "manual"), "uid-d");
        assertEquals(new Binder.Lost("Two claims are bound to the same volume, this one is bound incorrectly"),
                Binder.claimStep(claim, List.of(stolen), stolen, Binder.Mode.IMMEDIATE, null, false, null));
    }

    @Test
    void volumesAreAvailableBoundReleasedOrFreed() {
        PersistentVolumeClaim claim = claim("c", "1Gi", "manual", "ReadWriteOnce");
        PersistentVolume free = volume("v", "1Gi", "manual", "ReadWriteOnce");
        assertEquals(new Binder.Phase(Binder.AVAILABLE), Binder.volumeStep(free, null));
        assertEquals(new Binder.Phase(Binder.AVAILABLE), Binder.volumeStep(boundTo(free, claim, ""), null), "pre-bound by a user");
        PersistentVolume bound = boundTo(free, claim, "uid-c");
        assertEquals(new Binder.SyncClaim("ns", "c"), Binder.volumeStep(bound, claim), "the claim's side is not written yet");
        PersistentVolumeClaim boundClaim = new PersistentVolumeClaimBuilder(claim).editSpec().withVolumeName("v").endSpec().build();
        assertEquals(new Binder.Phase(Binder.BOUND), Binder.volumeStep(bound, boundClaim));
        assertEquals(new Binder.Reclaim("Retain"), Binder.volumeStep(bound, null), "the claim is gone; Retain by default");
        PersistentVolumeClaim recreated = new PersistentVolumeClaimBuilder(boundClaim).editMetadata().withUid("uid-new").endMetadata()
                .build();
        PersistentVolume deleting = new PersistentVolumeBuilder(bound).editSpec().withPersistentVolumeReclaimPolicy("Delete").endSpec()
                .build();
        assertEquals(new Binder.Reclaim("Delete"), Binder.volumeStep(deleting, recreated), "a new claim of the same name is another");
        PersistentVolumeClaim elsewhere = new PersistentVolumeClaimBuilder(claim).editSpec().withVolumeName("other").endSpec().build();
        PersistentVolume byController = new PersistentVolumeBuilder(bound).editMetadata()
                .addToAnnotations(Binder.BOUND_BY_CONTROLLER, "yes").endMetadata().build();
        assertEquals(new Binder.Unbind(), Binder.volumeStep(byController, elsewhere));
        assertEquals(new Binder.Phase(Binder.AVAILABLE), Binder.volumeStep(bound, elsewhere));
    }

    @Test
    void nodeAffinityTermsAreOredAndTheirRequirementsAnded() {
        PersistentVolume onA = pinned(volume("v", "1Gi", ""), "a");
        assertEquals(true, Binder.affinityAllows(onA, NODE_A));
        assertEquals(false, Binder.affinityAllows(onA, NODE_B));
        assertEquals(true, Binder.affinityAllows(volume("v", "1Gi", ""), NODE_B), "no affinity: any node");
        PersistentVolume byName = new PersistentVolumeBuilder(onA).editSpec().editNodeAffinity().editRequired().addNewNodeSelectorTerm()
                .addNewMatchField().withKey("metadata.name").withOperator("In").withValues("b").endMatchField().endNodeSelectorTerm()
                .endRequired().endNodeAffinity().endSpec().build();
        assertEquals(true, Binder.affinityAllows(byName, NODE_B));
        assertEquals(false, Binder.affinityAllows(byName, new Binder.Node("c", Map.of())));
    }
}
