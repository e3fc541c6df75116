package io.kubundle.cli.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

final class ThreeWayMergeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String patch(String original, String modified, String live) throws Exception {
        return ThreeWayMerge.patch(JSON.readTree(original), JSON.readTree(modified), JSON.readTree(live)).toString();
    }

    @Test
    void nothingToDoWhenLiveMatches() throws Exception {
        String config = "{\"spec\":{\"replicas\":2,\"template\":{\"spec\":{\"containers\":[{\"name\":\"n\",\"image\":\"i\"}]}}}}";
        // the server added defaults, in maps and in list items: they are not differences
        String live = "{\"spec\":{\"replicas\":2,\"progressDeadlineSeconds\":600,\"template\":{\"spec\":{\"containers\":"
                + "[{\"name\":\"n\",\"image\":\"i\",\"imagePullPolicy\":\"IfNotPresent\"}]}}},\"status\":{}}";
        assertEquals("{}", patch(config, config, live));
    }

    @Test
    void changedFieldsAreSet() throws Exception {
        assertEquals("{\"spec\":{\"replicas\":3}}",
                patch("{\"spec\":{\"replicas\":2}}", "{\"spec\":{\"replicas\":3}}", "{\"spec\":{\"replicas\":2,\"paused\":false}}"));
        // someone else changed a field the configuration sets: the configuration wins
        assertEquals("{\"spec\":{\"replicas\":2}}",
                patch("{\"spec\":{\"replicas\":2}}", "{\"spec\":{\"replicas\":2}}", "{\"spec\":{\"replicas\":5}}"));
    }

    @Test
    void fieldsRemovedFromTheConfigurationAreDeleted() throws Exception {
        assertEquals("{\"metadata\":{\"labels\":{\"old\":null}},\"spec\":{\"minReadySeconds\":null}}",
                patch("{\"metadata\":{\"labels\":{\"app\":\"a\",\"old\":\"x\"}},\"spec\":{\"minReadySeconds\":5}}",
                        "{\"metadata\":{\"labels\":{\"app\":\"a\"}},\"spec\":{}}",
                        "{\"metadata\":{\"labels\":{\"app\":\"a\",\"old\":\"x\",\"theirs\":\"y\"}},\"spec\":{\"minReadySeconds\":5}}"));
        // gone already: nothing to delete
        assertEquals("{}", patch("{\"a\":1}", "{}", "{\"b\":2}"));
    }

    @Test
    void fieldsOthersSetAreKept() throws Exception {
        assertEquals("{}", patch("{}", "{\"spec\":{}}", "{\"spec\":{\"paused\":true},\"metadata\":{\"labels\":{\"x\":\"y\"}}}"));
    }

    @Test
    void listsAreReplacedWholeWhenTheConfigurationChangesThem() throws Exception {
        String original = "{\"containers\":[{\"name\":\"n\",\"image\":\"i:1\",\"ports\":[{\"containerPort\":80}]}]}";
        String live = "{\"containers\":[{\"name\":\"n\",\"image\":\"i:1\",\"ports\":[{\"containerPort\":80}],\"tty\":false}]}";
        assertEquals("{\"containers\":[{\"name\":\"n\",\"image\":\"i:2\"}]}",
                patch(original, "{\"containers\":[{\"name\":\"n\",\"image\":\"i:2\"}]}", live));
        // a field removed from an item: the live item still holds the rest, but the list changed
        assertEquals("{\"containers\":[{\"name\":\"n\",\"image\":\"i:1\"}]}",
                patch(original, "{\"containers\":[{\"name\":\"n\",\"image\":\"i:1\"}]}", live));
        // unchanged configuration, list changed on the server: put it back
        assertEquals("{\"containers\":" + JSON.readTree(original).path("containers") + "}",
                patch(original, original, "{\"containers\":[]}"));
    }

    @Test
    void numbersCompareByValue() throws Exception {
        JsonNode a = JSON.readTree("{\"n\":1}");
        JsonNode b = JSON.createObjectNode().put("n", 1L);
        assertEquals("{}", ThreeWayMerge.patch(a, a, b).toString());
    }
}
