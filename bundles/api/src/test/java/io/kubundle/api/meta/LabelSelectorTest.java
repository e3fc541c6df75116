package io.kubundle.api.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LabelSelectorTest {
    private static final Map<String, String> NGINX = Map.of("app", "nginx", "tier", "web", "example.com/team", "a");

    @Test
    void equalityForms() {
        assertTrue(LabelSelector.parse("app=nginx").matches(NGINX));
        assertTrue(LabelSelector.parse("app==nginx").matches(NGINX));
        assertFalse(LabelSelector.parse("app!=nginx").matches(NGINX));
        assertTrue(LabelSelector.parse("app!=nginx").matches(Map.of()), "!= matches objects without the label");
        assertTrue(LabelSelector.parse("example.com/team=a").matches(NGINX));
    }

    @Test
    void setFormsAndExistence() {
        assertTrue(LabelSelector.parse("tier in (web, db)").matches(NGINX));
        assertFalse(LabelSelector.parse("tier notin (web)").matches(NGINX));
        assertTrue(LabelSelector.parse("tier notin (web)").matches(Map.of()));
        assertTrue(LabelSelector.parse("app").matches(NGINX));
        assertFalse(LabelSelector.parse("!app").matches(NGINX));
    }

    @Test
    void everyRequirementMustHold() {
        assertTrue(LabelSelector.parse("app=nginx,tier in (web,db),!missing").matches(NGINX));
        assertFalse(LabelSelector.parse("app=nginx,tier=db").matches(NGINX));
        assertEquals(3, LabelSelector.parse("a=b,c in (d,e),f").requirements().size());
    }

    @Test
    void emptyMatchesEverything() {
        assertTrue(LabelSelector.parse("").isEverything());
        assertTrue(LabelSelector.parse(null).matches(Map.of()));
    }

    @Test
    void malformedSelectorsAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("app=ng inx"));
        assertTrue(e.getMessage().contains("invalid label value"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("a in x"));
        assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("a=b,,c"));
        assertThrows(IllegalArgumentException.class, () -> LabelSelector.parse("-bad=x"));
    }

    @Test
    void nameSyntax() {
        assertTrue(LabelSyntax.isDnsSubdomain("nginx-deployment.v1"));
        assertFalse(LabelSyntax.isDnsSubdomain("Nginx"));
        assertTrue(LabelSyntax.isDnsLabel("kube-system"));
        assertFalse(LabelSyntax.isDnsLabel("a.b"));
    }
}
