package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The lines of a description as kubectl's describers write them: two spaces of indentation per
 * level, tab-separated cells aligned at the end, maps as {@code key=value} lists, nested fields
 * with labels made from their names ({@code apiVersion} is "API Version").
 */
public final class DescribeText {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US);
    private static final List<String> ACRONYMS = List.of("API", "URL", "UID", "OSB", "GUID");

    private final StringBuilder text = new StringBuilder();
    private final ZoneId zone;

    public DescribeText(ZoneId zone) {
        this.zone = zone;
    }

    /** One line at a level; cells separated by tabs. */
    public DescribeText line(int level, String line) {
        text.append("  ".repeat(level)).append(line).append('\n');
        return this;
    }

    /** {@code Title:  value}, or {@code <none>} for an empty value. */
    public DescribeText field(int level, String title, String value) {
        return line(level, title + ":\t" + (value == null || value.isEmpty() ? "<none>" : value));
    }

    /** A map as kubectl prints labels: the first {@code key=value} beside the title, the rest under it. */
    public DescribeText map(int level, String title, JsonNode map, String separator) {
        Map<String, String> sorted = new TreeMap<>();
        map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        if (sorted.isEmpty()) {
            return field(level, title, "<none>");
        }
        boolean first = true;
        for (Map.Entry<String, String> entry : sorted.entrySet()) {
            line(level, (first ? title + ":" : "") + "\t" + entry.getKey() + separator + entry.getValue());
            first = false;
        }
        return this;
    }

    /**
     * Every field of the tree in sorted order, nested maps and lists indented under their labels,
     * as kubectl's generic describer prints them.
     *
     * @param path the tree's path ({@code ""} at the top, then {@code .metadata}, ...)
     * @param skip paths not to print, such as {@code .metadata.managedFields}
     */
    public DescribeText tree(int level, JsonNode node, String path, List<String> skip) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        for (String name : names) {
            String fieldPath = path + "." + name;
            if (skip.contains(fieldPath)) {
                continue;
            }
            JsonNode value = node.get(name);
            if (value.isObject()) {
                line(level, label(name) + ":");
                tree(level + 1, value, fieldPath, skip);
            } else if (value.isArray()) {
                line(level, label(name) + ":");
                for (JsonNode item : value) {
                    if (item.isObject()) {
                        tree(level + 1, item, fieldPath, skip);
                    } else {
                        line(level + 1, item.asText());
                    }
                }
            } else {
                line(level, label(name) + ":\t" + (value.isNull() ? "<nil>" : value.asText()));
            }
        }
        return this;
    }

    public DescribeText blank() {
        text.append('\n');
        return this;
    }

    /** The aligned text. */
    @Override
    public String toString() {
        return TabWriter.align(text.toString());
    }

    /** A timestamp as kubectl shows it ({@code Mon, 02 Jan 2006 15:04:05 -0700}), or the text as it is. */
    public String time(String timestamp) {
        try {
            return TIME.format(Instant.parse(timestamp).atZone(zone));
        } catch (DateTimeParseException e) {
            return timestamp;
        }
    }

    /** kubectl's label for a field name: {@code apiVersion} is "API Version", {@code podIP} "Pod IP". */
    static String label(String field) {
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (!Character.isLetter(c) && c != '-') {
                return field;
            }
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            boolean upper = Character.isUpperCase(c);
            boolean boundary = word.length() > 0 && upper
                    && (!Character.isUpperCase(word.charAt(word.length() - 1))
                        || (i + 1 < field.length() && Character.isLowerCase(field.charAt(i + 1))));
            if (boundary) {
                words.add(word.toString());
                word.setLength(0);
            }
            word.append(c);
        }
        words.add(word.toString());
        List<String> labels = new ArrayList<>();
        for (String part : words) {
            String upper = part.toUpperCase(Locale.ROOT);
            labels.add(ACRONYMS.contains(upper) ? upper : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return String.join(" ", labels);
    }

    /** {@code a=b,c=d}: a selector or map in one line, sorted by key. */
    public static String inline(JsonNode map) {
        Map<String, String> sorted = new TreeMap<>();
        map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        StringBuilder out = new StringBuilder();
        sorted.forEach((key, value) -> out.append(out.length() == 0 ? "" : ",").append(key).append('=').append(value));
        return out.toString();
    }
}
