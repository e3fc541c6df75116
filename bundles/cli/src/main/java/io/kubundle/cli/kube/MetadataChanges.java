package io.kubundle.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value} and {@code key-} arguments of {@code label} and {@code annotate}, and the
 * merge patch of the labels or annotations map they make.
 *
 * @param what {@code label} or {@code annotation}, for messages
 * @param set keys to set, with their values
 * @param remove keys to remove
 */
public record MetadataChanges(String what, Map<String, String> set, List<String> remove) {
    /** True for an argument that is a change rather than a resource type or name. */
    public static boolean isChange(String arg) {
        return arg.contains("=") || (arg.endsWith("-") && arg.length() > 1);
    }

    /** Reads the changes; it is an error to have none, or to set and remove one key. */
    public static MetadataChanges parse(String what, List<String> args) throws CommandException {
        Map<String, String> set = new LinkedHashMap<>();
        List<String> remove = new ArrayList<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals > 0) {
                set.put(arg.substring(0, equals), arg.substring(equals + 1));
            } else if (equals < 0 && arg.endsWith("-") && arg.length() > 1) {
                remove.add(arg.substring(0, arg.length() - 1));
            } else {
                throw new CommandException("invalid " + what + " format: " + arg);
            }
        }
        if (set.isEmpty() && remove.isEmpty()) {
            throw new CommandException("at least one " + what + " update is required");
        }
        for (String key : remove) {
            if (set.containsKey(key)) {
                throw new CommandException("can not both modify and remove the " + what + " \"" + key + "\" in the same command");
            }
        }
        return new MetadataChanges(what, Map.copyOf(set), List.copyOf(remove));
    }

    /**
     * The merge patch of the map ({@code metadata.labels} or {@code metadata.annotations}) as it is
     * now: values to set, nulls for keys to remove that exist. Empty when nothing changes.
     *
     * @throws CommandException if a key has another value and {@code overwrite} is false
     */
    public ObjectNode patch(JsonNode current, boolean overwrite) throws CommandException {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, String> entry : set.entrySet()) {
            JsonNode existing = current.path(entry.getKey());
            if (existing.isTextual() && existing.asText().equals(entry.getValue())) {
                continue;
            }
            if (existing.isTextual() && !overwrite) {
                throw new CommandException("'" + entry.getKey() + "' already has a value (" + existing.asText()
                        + "), and --overwrite is false");
            }
            patch.put(entry.getKey(), entry.getValue());
        }
        for (String key : remove) {
            if (current.has(key)) {
                patch.putNull(key);
            }
        }
        return patch;
    }
}
