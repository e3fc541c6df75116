package io.kubundle.apiserver.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One HTTP request as the API layer sees it, free of Netty so the layer can be tested alone.
 *
 * @param method GET, POST, PUT, PATCH or DELETE
 * @param path the decoded path, without the query
 * @param query the query parameters (the first value of each)
 * @param header a header by name (case-insensitive), or null
 * @param body the request body, empty if none
 */
record ApiRequest(String method, String path, Map<String, String> query, Function<String, String> header, byte[] body) {

    static ApiRequest of(String method, String uri, Function<String, String> header, byte[] body) {
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        Map<String, String> query = new HashMap<>();
        if (q >= 0) {
            for (String pair : uri.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
                query.putIfAbsent(key, eq < 0 ? "" : decodeQuery(pair.substring(eq + 1)));
            }
        }
        return new ApiRequest(method, decode(rawPath), query, header, body);
    }

    /** In a path '+' is itself; in a query it is a space, as Go's url.ParseQuery reads it. */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String decodeQuery(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    List<String> segments() {
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    String contentType() {
        String type = header.apply("Content-Type");
        return type == null ? "" : type;
    }

    String accept() {
        String accept = header.apply("Accept");
        return accept == null ? "" : accept;
    }

    boolean flag(String name) {
        String value = query.get(name);
        return value != null && (value.isEmpty() || value.equals("1") || value.equalsIgnoreCase("true"));
    }
}
