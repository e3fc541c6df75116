package io.kubundle.api.meta;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A label selector in the syntax of Kubernetes' {@code labelSelector} query parameter:
 * {@code a=b}, {@code a==b}, {@code a!=b}, {@code a in (x,y)}, {@code a notin (x)}, {@code a},
 * {@code !a}, joined by commas (all must hold). Immutable and thread-safe.
 */
public final class LabelSelector {
    private static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    /** One requirement on one label. */
    public record Requirement(String key, Operator operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> value != null && values.contains(value);
                case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
                case EXISTS -> value != null;
                case DOES_NOT_EXIST -> value == null;
            };
        }
    }

    /** The operators of the selector syntax. */
    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    /** The selector that matches every object (an empty or absent parameter). */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** The selector of these requirements, all of which must hold (none: everything). */
    public static LabelSelector of(List<Requirement> requirements) {
        return requirements.isEmpty() ? EVERYTHING : new LabelSelector(requirements);
    }

    /**
     * Parses a selector.
     *
     * @throws IllegalArgumentException with a message naming the fault, for a malformed selector
     */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String term : splitTerms(text)) {
            requirements.add(parseTerm(term.trim(), text));
        }
        return new LabelSelector(requirements);
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    public boolean matches(Map<String, String> labels) {
        for (Requirement requirement : requirements) {
            if (!requirement.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Splits at commas outside parentheses. */
    private static List<String> splitTerms(String text) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(text.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(text.substring(start));
        return terms;
    }

    private static Requirement parseTerm(String term, String whole) {
        if (term.isEmpty()) {
            throw new IllegalArgumentException("empty requirement in label selector \"" + whole + "\"");
        }
        if (term.startsWith("!")) {
            return new Requirement(key(term.substring(1).trim(), whole), Operator.DOES_NOT_EXIST, Set.of());
        }
        int set = indexOfWord(term, " notin ");
        if (set > 0) {
            return new Requirement(key(term.substring(0, set).trim(), whole), Operator.NOT_IN,
                    values(term.substring(set + 7).trim(), whole));
        }
        set = indexOfWord(term, " in ");
        if (set > 0) {
            return new Requirement(key(term.substring(0, set).trim(), whole), Operator.IN,
                    values(term.substring(set + 4).trim(), whole));
        }
        int not = term.indexOf("!=");
        if (not > 0) {
            return new Requirement(key(term.substring(0, not).trim(), whole), Operator.NOT_EQUALS,
                    Set.of(value(term.substring(not + 2).trim(), whole)));
        }
        int equals = term.indexOf('=');
        if (equals > 0) {
            int valueStart = term.startsWith("==", equals) ? equals + 2 : equals + 1;
            return new Requirement(key(term.substring(0, equals).trim(), whole), Operator.EQUALS,
                    Set.of(value(term.substring(valueStart).trim(), whole)));
        }
        return new Requirement(key(term, whole), Operator.EXISTS, Set.of());
    }

    private static int indexOfWord(String term, String word) {
        return term.indexOf(word);
    }

    private static Set<String> values(String list, String whole) {
        if (!list.startsWith("(") || !list.endsWith(")")) {
            throw new IllegalArgumentException("expected a parenthesized value list in label selector \"" + whole + "\"");
        }
        Set<String> values = new LinkedHashSet<>();
        for (String value : list.substring(1, list.length() - 1).split(",")) {
            values.add(value(value.trim(), whole));
        }
        return Set.copyOf(values);
    }

    private static String key(String key, String whole) {
        if (!LabelSyntax.isQualifiedName(key)) {
            throw new IllegalArgumentException("invalid label key \"" + key + "\" in label selector \"" + whole + "\"");
        }
        return key;
    }

    private static String value(String value, String whole) {
        if (!LabelSyntax.isLabelValue(value)) {
            throw new IllegalArgumentException("invalid label value \"" + value + "\" in label selector \"" + whole + "\"");
        }
        return value;
    }

    @Override
    public String toString() {
        return requirements.toString();
    }
}
