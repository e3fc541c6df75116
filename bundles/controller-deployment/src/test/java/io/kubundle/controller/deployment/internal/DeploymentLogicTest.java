package io.kubundle.controller.deployment.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;

class DeploymentLogicTest {
    private final Revisions revisions = new Revisions(new ObjectMapper());

    private static ReplicaSet set(String name, String created, int spec, int available, String revision) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withCreationTimestamp(created)
                .withAnnotations(revision == null ? Map.of() : Map.of(Revisions.REVISION, revision)).endMetadata()
                .withNewSpec().withReplicas(spec).endSpec().withNewStatus().withReplicas(spec).withAvailableReplicas(available).endStatus()
                .build();
    }

    private static PodTemplateSpec template(String image, Map<String, String> labels) {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(labels).endMetadata().withNewSpec().addNewContainer()
                .withName("c").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void percentagesRoundSurgeUpAndUnavailableDown() {
        assertEquals(new RollingUpdate.Fenceposts(1, 0), RollingUpdate.resolve(new IntOrString("25%"), new IntOrString("25%"), 3));
        assertEquals(new RollingUpdate.Fenceposts(3, 2), RollingUpdate.resolve(new IntOrString("25%"), new IntOrString("25%"), 10));
        assertEquals(new RollingUpdate.Fenceposts(2, 0), RollingUpdate.resolve(new IntOrString(2), new IntOrString(0), 10));
        assertEquals(new RollingUpdate.Fenceposts(0, 1), RollingUpdate.resolve(new IntOrString(0), new IntOrString("0%"), 10),
                "both zero would never progress: one may be unavailable");
        assertEquals(5, RollingUpdate.scaled(new IntOrString("50%"), 9, true));
        assertEquals(4, RollingUpdate.scaled(new IntOrString("50%"), 9, false));
    }

    @Test
    void theNewSetGrowsWithinTheSurge() {
        RollingUpdate.Fenceposts fenceposts = new RollingUpdate.Fenceposts(1, 0);
        assertEquals(1, RollingUpdate.newReplicaSetSize(3, fenceposts, 3, 0), "one above the desired 3");
        assertEquals(1, RollingUpdate.newReplicaSetSize(3, fenceposts, 4, 1), "no room until an old pod goes");
        assertEquals(2, RollingUpdate.newReplicaSetSize(3, fenceposts, 3, 1));
        assertEquals(10, RollingUpdate.newReplicaSetSize(10, new RollingUpdate.Fenceposts(3, 2), 2, 2), "a scale-up of the only set");
    }

    @Test
    void oldSetsShrinkOnlyWhileEnoughStayAvailable() {
        RollingUpdate.Fenceposts noUnavailable = new RollingUpdate.Fenceposts(1, 0);
        ReplicaSet newSet = set("new", "2024-01-02T00:00:00Z", 1, 0, "2");
        ReplicaSet old = set("old", "2024-01-01T00:00:00Z", 3, 3, "1");
        assertEquals(Map.of(), RollingUpdate.oldReplicaSetSizes(3, noUnavailable, newSet, List.of(old)), "the new pod is not available yet");
        newSet = set("new", "2024-01-02T00:00:00Z", 1, 1, "2");
        assertEquals(Map.of("old", 2), RollingUpdate.oldReplicaSetSizes(3, noUnavailable, newSet, List.of(old)));

        RollingUpdate.Fenceposts oneUnavailable = new RollingUpdate.Fenceposts(0, 1);
        assertEquals(Map.of("old", 2), RollingUpdate.oldReplicaSetSizes(3, oneUnavailable, set("new", "2024-01-02T00:00:00Z", 0, 0, "2"),
                List.of(old)));
    }

    @Test
    void unhealthyOldPodsGoFirstOldestSetFirst() {
        RollingUpdate.Fenceposts fenceposts = new RollingUpdate.Fenceposts(1, 1);
        ReplicaSet oldest = set("oldest", "2024-01-01T00:00:00Z", 2, 0, "1");
        ReplicaSet older = set("older", "2024-01-02T00:00:00Z", 2, 2, "2");
        ReplicaSet newSet = set("new", "2024-01-03T00:00:00Z", 0, 0, "3");
        // 4 pods, 2 must stay available (3 - 1): the oldest set's 2 unavailable pods go; the 2 available ones must stay
        Map<String, Integer> sizes = RollingUpdate.oldReplicaSetSizes(3, fenceposts, newSet, List.of(older, oldest));
        assertEquals(Map.of("oldest", 0), sizes);
    }

    @Test
    void revisionsAndTheNewSetIgnoreTheHashLabel() {
        PodTemplateSpec template = template("nginx:1", Map.of("app", "web"));
        Map<String, String> hashed = new HashMap<>(Map.of("app", "web", Revisions.HASH_LABEL, "abc"));
        ReplicaSet matching = set("web-abc", "2024-01-01T00:00:00Z", 1, 1, "2");
        matching.getSpec().setTemplate(template("nginx:1", hashed));
        ReplicaSet other = set("web-def", "2024-01-02T00:00:00Z", 1, 1, "3");
        other.getSpec().setTemplate(template("nginx:2", Map.of("app", "web", Revisions.HASH_LABEL, "def")));
        assertSame(matching, revisions.findNew(template, List.of(other, matching)));
        assertNull(revisions.findNew(template("nginx:3", Map.of("app", "web")), List.of(other, matching)));
        assertEquals(3, Revisions.maxRevision(List.of(matching, other)));

        assertEquals(revisions.hash(template, null), revisions.hash(template("nginx:1", Map.of("app", "web")), null), "stable");
        assertNotEquals(revisions.hash(template, null), revisions.hash(template, 1), "the collision count changes the hash");
        assertNotEquals(revisions.hash(template, null), revisions.hash(template("nginx:2", Map.of("app", "web")), null));
    }

    @Test
    void aRolledBackSetTakesTheNextRevisionAndRemembersItsOld() {
        Map<String, String> annotations = new HashMap<>(Map.of(Revisions.REVISION, "2"));
        assertTrue(Revisions.setNewAnnotations(Map.of("kubernetes.io/change-cause", "undo",
                "kubectl.kubernetes.io/last-applied-configuration", "{}"), annotations, 4));
        assertEquals("4", annotations.get(Revisions.REVISION));
        assertEquals("2", annotations.get(Revisions.REVISION_HISTORY));
        assertEquals("undo", annotations.get("kubernetes.io/change-cause"));
        assertFalse(annotations.containsKey("kubectl.kubernetes.io/last-applied-configuration"));
        assertFalse(Revisions.setNewAnnotations(Map.of(), annotations, 4), "already current");
    }

    @Test
    void historyCleanupDeletesTheOldestEmptyRevisionsBeyondTheLimit() {
        ReplicaSet r1 = set("r1", "2024-01-01T00:00:00Z", 0, 0, "1");
        ReplicaSet r2 = set("r2", "2024-01-02T00:00:00Z", 0, 0, "2");
        ReplicaSet r3 = set("r3", "2024-01-03T00:00:00Z", 0, 0, "3");
        ReplicaSet busy = set("busy", "2024-01-00T00:00:00Z", 2, 2, "0");
        assertEquals(List.of(r1, r2), Revisions.toCleanUp(List.of(r3, busy, r2, r1), 1));
        assertEquals(List.of(), Revisions.toCleanUp(List.of(r3, r2, r1), 3));
    }

    @Test
    void conditionsFollowTheRollout() {
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("web").withGeneration(2L).endMetadata().withNewSpec()
                .withReplicas(2).withProgressDeadlineSeconds(60).withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endStrategy().endSpec()
                .withNewStatus().endStatus().build();
        Instant now = Instant.parse("2024-01-01T00:00:00Z");
        ReplicaSet newSet = set("web-new", "2024-01-01T00:00:00Z", 1, 0, "2");
        ReplicaSet old = set("web-old", "2023-01-01T00:00:00Z", 2, 2, "1");
        DeploymentStatus status = DeploymentStatuses.calculate(deployment, List.of(old, newSet), newSet, now);
        assertEquals(3, status.getReplicas());
        assertEquals(1, status.getUpdatedReplicas());
        assertEquals(2, status.getAvailableReplicas());
        assertEquals(1, status.getUnavailableReplicas());
        assertEquals("True", DeploymentStatuses.get(status, DeploymentStatuses.AVAILABLE).getStatus());
        DeploymentStatuses.progress(deployment, status, newSet, now);
        assertEquals(DeploymentStatuses.RS_UPDATED, DeploymentStatuses.get(status, DeploymentStatuses.PROGRESSING).getReason());

        deployment.setStatus(status);
        DeploymentStatus stuck = DeploymentStatuses.calculate(deployment, List.of(old, newSet), newSet, now.plusSeconds(61));
        DeploymentStatuses.progress(deployment, stuck, newSet, now.plusSeconds(61));
        assertEquals(DeploymentStatuses.TIMED_OUT, DeploymentStatuses.get(stuck, DeploymentStatuses.PROGRESSING).getReason());
        assertEquals("False", DeploymentStatuses.get(stuck, DeploymentStatuses.PROGRESSING).getStatus());

        ReplicaSet done = set("web-new", "2024-01-01T00:00:00Z", 2, 2, "2");
        DeploymentStatus complete = DeploymentStatuses.calculate(deployment, List.of(set("web-old", "2023-01-01T00:00:00Z", 0, 0, "1"), done),
                done, now);
        DeploymentStatuses.progress(deployment, complete, done, now);
        assertEquals(DeploymentStatuses.NEW_RS_AVAILABLE, DeploymentStatuses.get(complete, DeploymentStatuses.PROGRESSING).getReason());
        assertTrue(DeploymentStatuses.complete(deployment, complete));
    }
}
