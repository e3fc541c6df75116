package io.kubundle.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

final class JsonTest {

    @Test
    void errorBodyIsOneLine() {
        assertEquals("{\"error\":\"missing or wrong admin token\"}",
                new String(Json.write(Json.error("missing or wrong admin token")), StandardCharsets.UTF_8));
        assertEquals("{\"error\":\"Unable to resolve x: missing requirement\"}",
                new String(Json.write(Json.error("  Unable to resolve x: missing requirement\r\n  at line 2\n")),
                        StandardCharsets.UTF_8));
        assertEquals("{\"error\":\"a \\\"quoted\\\" name\"}",
                new String(Json.write(Json.error("a \"quoted\" name")), StandardCharsets.UTF_8));
    }

    @Test
    void firstLineOfNothing() {
        assertEquals("no details", AdminException.firstLine(null));
        assertEquals("no details", AdminException.firstLine(" \n "));
    }

    @Test
    void nullsAndNumbersAreWrittenAsSuch() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("component", null);
        body.put("gapMillis", 1.5);
        body.put("bundles", List.of(Map.of("id", 3L)));
        assertEquals("{\"component\":null,\"gapMillis\":1.5,\"bundles\":[{\"id\":3}]}",
                new String(Json.write(body), StandardCharsets.UTF_8));
    }
}
