package io.kubundle.cli.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class MetadataChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void parsesSetsAndRemovals() throws Exception {
        MetadataChanges changes = MetadataChanges.parse("label", List.of("app=web", "empty=", "old-", "a.b/c=d=e"));
        assertEquals(Map.of("app", "web", "empty", "", "a.b/c", "d=e"), changes.set());
        assertEquals(List.of("old"), changes.remove());
        assertTrue(MetadataChanges.isChange("k=v"));
        assertTrue(MetadataChanges.isChange("k-"));
        assertFalse(MetadataChanges.isChange("deployment"));
        assertFalse(MetadataChanges.isChange("-"));
    }

    @Test
    void badArguments() {
        assertEquals("at least one label update is required",
                assertThrows(CommandException.class, () -> MetadataChanges.parse("label", List.of())).getMessage());
        assertEquals("invalid annotation format: =v",
                assertThrows(CommandException.class, () -> MetadataChanges.parse("annotation", List.of("=v"))).getMessage());
        assertThrows(CommandException.class, () -> MetadataChanges.parse("label", List.of("a=b", "a-")));
    }

    @Test
    void overwritingNeedsPermission() throws Exception {
        JsonNode current = JSON.readTree("{\"tier\":\"web\",\"old\":\"x\"}");
        MetadataChanges changes = MetadataChanges.parse("label", List.of("tier=db"));
        CommandException e = assertThrows(CommandException.class, () -> changes.patch(current, false));
        assertEquals("'tier' already has a value (web), and --overwrite is false", e.getMessage());
        assertEquals("{\"tier\":\"db\"}", changes.patch(current, true).toString());
        // the same value is no change, and needs no --overwrite
        assertEquals("{}", MetadataChanges.parse("label", List.of("tier=web")).patch(current, false).toString());
    }

    @Test
    void removalsOfPresentKeysOnly() throws Exception {
        JsonNode current = JSON.readTree("{\"old\":\"x\"}");
        assertEquals("{\"new\":\"y\",\"old\":null}",
                MetadataChanges.parse("label", List.of("new=y", "old-", "absent-")).patch(current, false).toString());
        assertEquals("{\"a\":\"b\"}", MetadataChanges.parse("label", List.of("a=b")).patch(JSON.missingNode(), false).toString());
    }
}
