package io.kubundle.controller.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

class SupportTest {
    @Test
    void selectorsMatchAsKubernetesDoes() {
        LabelSelector selector = new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web"))
                .addNewMatchExpression().withKey("tier").withOperator("In").withValues("front", "edge").endMatchExpression()
                .addNewMatchExpression().withKey("canary").withOperator("DoesNotExist").endMatchExpression().build();
        assertTrue(Selectors.matches(selector, Map.of("app", "web", "tier", "edge")));
        assertFalse(Selectors.matches(selector, Map.of("app", "web", "tier", "back")));
        assertFalse(Selectors.matches(selector, Map.of("app", "web", "tier", "front", "canary", "1")));
        assertFalse(Selectors.matches(null, Map.of("app", "web")), "no selector selects nothing");
        assertTrue(Selectors.matches(new LabelSelector(), Map.of("any", "x")), "an empty one selects everything");
        assertEquals("app=web,tier in (front,edge),!canary", Selectors.toQuery(selector));
    }

    @Test
    void namesAreValidAndHashesStable() {
        String suffix = Names.randomSuffix();
        assertTrue(suffix.matches("[bcdfghjklmnpqrstvwxz2456789]{5}"), suffix);
        assertEquals(63, Names.child("x".repeat(80), "abcde").length());
        assertEquals(Names.hash("template-a"), Names.hash("template-a"));
        assertNotEquals(Names.hash("template-a"), Names.hash("template-b"));
    }

    @Test
    void podStates() {
        Instant now = Instant.parse("2026-01-01T00:01:00Z");
        Pod ready = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime("2026-01-01T00:00:30Z").endCondition()
                .endStatus().build();
        assertTrue(Pods.isActive(ready));
        assertTrue(Pods.isReady(ready));
        assertTrue(Pods.isAvailable(ready, Duration.ofSeconds(30), now));
        assertFalse(Pods.isAvailable(ready, Duration.ofSeconds(31), now), "not ready long enough");
        Pod done = new PodBuilder(ready).editStatus().withPhase("Succeeded").endStatus().build();
        assertFalse(Pods.isActive(done));
        assertEquals(List.of(), Owners.controllerOf(ready).stream().toList());
    }
}
