package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A field selector: {@code a.b=c}, {@code a.b==c}, {@code a.b!=c}, comma-joined. Fields are
 * dotted paths into the object's JSON, so {@code metadata.name}, {@code spec.nodeName} and
 * {@code status.phase} all work; a missing field compares as the empty string.
 */
final class FieldSelector {
    private record Term(String path, boolean equals, String value) {
    }

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());
    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    static FieldSelector parse(String text) throws ApiException {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String raw : text.split(",")) {
            String term = raw.trim();
            int not = term.indexOf("!=");
            int eq = term.indexOf('=');
            if (not > 0) {
                terms.add(new Term(term.substring(0, not), false, term.substring(not + 2)));
            } else if (eq > 0) {
                int value = term.startsWith("==", eq) ? eq + 2 : eq + 1;
                terms.add(new Term(term.substring(0, eq), true, term.substring(value)));
            } else {
                throw ApiException.badRequest("invalid field selector: '" + term + "': expected field=value or field!=value");
            }
        }
        return new FieldSelector(terms);
    }

    boolean isEverything() {
        return terms.isEmpty();
    }

    boolean matches(JsonNode object) {
        for (Term term : terms) {
            JsonNode node = object;
            for (String part : term.path().split("\\.")) {
                node = node.path(part);
            }
            String actual = node.isValueNode() ? node.asText() : "";
            if (actual.equals(term.value()) != term.equals()) {
                return false;
            }
        }
        return true;
    }
}
