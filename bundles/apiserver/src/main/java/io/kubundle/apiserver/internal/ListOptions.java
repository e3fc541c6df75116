package io.kubundle.apiserver.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import io.kubundle.api.meta.LabelSelector;

/**
 * The query parameters of a list or watch.
 *
 * @param labels the {@code labelSelector}
 * @param fields the {@code fieldSelector}
 * @param limit the page size, 0 for all
 * @param continueToken the {@code continue} token of the previous page, or null
 * @param resourceVersion the {@code resourceVersion} parameter, or null
 * @param resourceVersionMatch {@code Exact}, {@code NotOlderThan} or null
 */
record ListOptions(LabelSelector labels, FieldSelector fields, int limit, String continueToken, String resourceVersion,
        String resourceVersionMatch) {

    static ListOptions from(Map<String, String> query) throws ApiException {
        LabelSelector labels;
        try {
            labels = LabelSelector.parse(query.get("labelSelector"));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("unable to parse requirement: " + e.getMessage());
        }
        FieldSelector fields = FieldSelector.parse(query.get("fieldSelector"));
        int limit = 0;
        if (query.containsKey("limit")) {
            try {
                limit = Math.max(0, Integer.parseInt(query.get("limit")));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit must be a number: " + query.get("limit"));
            }
        }
        String continueToken = query.get("continue");
        return new ListOptions(labels, fields, limit, continueToken == null || continueToken.isEmpty() ? null : continueToken,
                query.get("resourceVersion"), query.get("resourceVersionMatch"));
    }

    /** The revision to read at: 0 for the latest, or the one the continue token or an Exact match names. */
    long readRevision() throws ApiException {
        if (continueToken != null) {
            return Continue.decode(continueToken).revision();
        }
        if ("Exact".equals(resourceVersionMatch)) {
            return revision(resourceVersion);
        }
        return 0;
    }

    static long revision(String resourceVersion) throws ApiException {
        if (resourceVersion == null || resourceVersion.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resource version: " + resourceVersion);
        }
    }

    /** A continue token: where the next page starts, at which revision. Opaque to clients. */
    record Continue(long revision, String startAfter) {
        String encode() {
            String raw = revision + "\n" + startAfter;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Continue decode(String token) throws ApiException {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                int newline = raw.indexOf('\n');
                return new Continue(Long.parseLong(raw.substring(0, newline)), raw.substring(newline + 1));
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw ApiException.badRequest("invalid continue token");
            }
        }
    }
}
