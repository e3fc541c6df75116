package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class RequestParsingTest {
    @Test
    void pathAndQueryAreDecoded() {
        ApiRequest request = ApiRequest.of("GET",
                "/api/v1/namespaces/default/pods?labelSelector=app%3Dnginx%2Ctier+in+(web)&watch=1&limit=5", h -> null, new byte[0]);
        assertEquals(List.of("api", "v1", "namespaces", "default", "pods"), request.segments());
        assertEquals("app=nginx,tier in (web)", request.query().get("labelSelector"));
        assertTrue(request.flag("watch"));
        assertFalse(request.flag("allowWatchBookmarks"));
    }

    @Test
    void listOptionsParseSelectorsAndContinueTokens() throws Exception {
        ListOptions options = ListOptions.from(Map.of("labelSelector", "app=nginx", "fieldSelector", "spec.nodeName=n1", "limit", "2"));
        assertEquals(2, options.limit());
        assertTrue(options.fields().matches(new ObjectMapper().readTree("{\"spec\":{\"nodeName\":\"n1\"}}")));
        assertFalse(options.fields().matches(new ObjectMapper().readTree("{\"spec\":{}}")));
        String token = new ListOptions.Continue(42, "/registry/core/pods/default/b").encode();
        ListOptions next = ListOptions.from(Map.of("continue", token));
        assertEquals(42, next.readRevision());
        assertEquals(400, assertThrows(ApiException.class, () -> ListOptions.from(Map.of("continue", "%%%"))
                .readRevision()).code());
        assertEquals(400, assertThrows(ApiException.class, () -> ListOptions.from(Map.of("labelSelector", "a in b"))).code());
        assertEquals(400, assertThrows(ApiException.class, () -> ListOptions.from(Map.of("fieldSelector", "nonsense"))).code());
    }

    @Test
    void yamlBombsAndDeepNestingAreRefusedFast() {
        BodyDecoder decoder = new BodyDecoder();
        StringBuilder bomb = new StringBuilder("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        for (int i = 0; i < 30; i++) {
            char prev = (char) ('a' + (i % 26));
            bomb.append("b").append(i).append(": &b").append(i).append(" [*").append(i == 0 ? "a" : "b" + (i - 1))
                    .append(",*").append(i == 0 ? "a" : "b" + (i - 1)).append("]\n");
        }
        ApiRequest yaml = ApiRequest.of("POST", "/api/v1/namespaces/default/configmaps",
                h -> h.equals("Content-Type") ? "application/yaml" : null, bomb.toString().getBytes());
        long start = System.nanoTime();
        ApiException refused = assertThrows(ApiException.class, () -> decoder.decode(yaml));
        assertEquals(400, refused.code());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000, "refused fast");

        String deep = "[".repeat(1000) + "]".repeat(1000);
        ApiRequest nested = ApiRequest.of("POST", "/api/v1/namespaces/default/configmaps",
                h -> h.equals("Content-Type") ? "application/json" : null, deep.getBytes());
        assertEquals(400, assertThrows(ApiException.class, () -> decoder.decode(nested)).code());

        ApiRequest protobuf = ApiRequest.of("POST", "/api/v1/namespaces", h -> h.equals("Content-Type")
                ? "application/vnd.kubernetes.protobuf" : null, new byte[] {'k', '8', 's', 0});
        // protobuf is decoded (ProtobufBodiesTest); the magic alone names no kind
        assertEquals(400, assertThrows(ApiException.class, () -> decoder.decode(protobuf)).code());
    }
}
