package io.kubundle.controller.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;

class RevisionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PodTemplateSpec template(Map<String, String> labels, String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(labels).endMetadata().withNewSpec().addNewContainer()
                .withName("c").withImage(image).endContainer().endSpec().build();
    }

    @Test
    void theHashDependsOnTheTemplateNotOnMapOrder() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");
        assertEquals(Revisions.hash(JSON, template(ab, "nginx:1"), 0), Revisions.hash(JSON, template(ba, "nginx:1"), 0));
        assertNotEquals(Revisions.hash(JSON, template(ab, "nginx:1"), 0), Revisions.hash(JSON, template(ab, "nginx:2"), 0));
        assertNotEquals(Revisions.hash(JSON, template(ab, "nginx:1"), 0), Revisions.hash(JSON, template(ab, "nginx:1"), 1));
    }

    @Test
    void aRevisionHoldsItsTemplateAndIsNamedAfterItsOwner() {
        DaemonSet owner = new DaemonSetBuilder().withNewMetadata().withName("fluentd").withNamespace("ns").withUid("u").endMetadata().build();
        PodTemplateSpec template = template(Map.of("app", "f"), "fluentd:2");
        ControllerRevision revision = Revisions.of(JSON, owner, Map.of("app", "f"), template, "h1", 3);
        assertEquals("fluentd-h1", revision.getMetadata().getName());
        assertEquals(3L, revision.getRevision());
        assertEquals("h1", revision.getMetadata().getLabels().get(Revisions.HASH_LABEL));
        assertEquals(template, Revisions.template(JSON, JSON.convertValue(JSON.convertValue(revision, Map.class), ControllerRevision.class)));
        assertEquals(4, Revisions.nextNumber(List.of(revision)));
    }

    @Test
    void historyBeyondTheLimitGoesOldestFirstButNeverWhatIsInUse() {
        DaemonSet owner = new DaemonSetBuilder().withNewMetadata().withName("d").endMetadata().build();
        List<ControllerRevision> all = List.of(Revisions.of(JSON, owner, null, template(Map.of(), "a"), "a", 1),
                Revisions.of(JSON, owner, null, template(Map.of(), "b"), "b", 2),
                Revisions.of(JSON, owner, null, template(Map.of(), "c"), "c", 3),
                Revisions.of(JSON, owner, null, template(Map.of(), "d"), "d", 4));
        assertEquals(List.of("d-b"), Revisions.beyondLimit(all, Set.of("d-a", "d-d"), 1).stream().map(r -> r.getMetadata().getName()).toList());
        assertEquals(List.of(), Revisions.beyondLimit(all, Set.of(), 10));
    }
}
