package io.kubundle.client.kube;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/**
 * What a list or watch asks for.
 *
 * @param labelSelector a label selector ({@code app=web,tier!=db}), or null
 * @param fieldSelector a field selector ({@code spec.nodeName=n1}), or null
 * @param limit the page size, 0 for all
 * @param continueToken the token of the next page, or null
 * @param resourceVersion null or empty for the latest, {@code 0} for any, else a revision
 */
public record ListOptions(String labelSelector, String fieldSelector, int limit, String continueToken, String resourceVersion) {
    /** Everything, as of now. */
    public static final ListOptions ALL = new ListOptions(null, null, 0, null, null);

    public static ListOptions labels(String selector) {
        return ALL.withLabels(selector);
    }

    public static ListOptions fields(String selector) {
        return ALL.withFields(selector);
    }

    public ListOptions withLabels(String selector) {
        return new ListOptions(selector, fieldSelector, limit, continueToken, resourceVersion);
    }

    public ListOptions withFields(String selector) {
        return new ListOptions(labelSelector, selector, limit, continueToken, resourceVersion);
    }

    public ListOptions withLimit(int pageSize) {
        return new ListOptions(labelSelector, fieldSelector, pageSize, continueToken, resourceVersion);
    }

    public ListOptions withContinue(String token) {
        return new ListOptions(labelSelector, fieldSelector, limit, token, resourceVersion);
    }

    public ListOptions withResourceVersion(String version) {
        return new ListOptions(labelSelector, fieldSelector, limit, continueToken, version);
    }

    /** The query string, without the leading '?', with {@code extra} parameters (already encoded) first. */
    String query(String... extra) {
        StringJoiner query = new StringJoiner("&");
        for (String parameter : extra) {
            query.add(parameter);
        }
        add(query, "labelSelector", labelSelector);
        add(query, "fieldSelector", fieldSelector);
        if (limit > 0) {
            query.add("limit=" + limit);
        }
        add(query, "continue", continueToken);
        add(query, "resourceVersion", resourceVersion);
        return query.toString();
    }

    private static void add(StringJoiner query, String name, String value) {
        if (value != null && !value.isEmpty()) {
            query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
