package io.kubundle.apiserver.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How Kubernetes' schemas say the lists the server knows are merged, by field name (the server
 * has no typed schema): lists of objects with merge keys (containers by name, env by name, ports
 * by containerPort or port, ...), lists of strings that are sets (finalizers), and every other
 * list atomic. Shared by strategic merge patch and server-side apply, which name the keys
 * slightly differently: apply's list map keys of ports include the protocol.
 */
final class ListTypes {
    /** Field name to its strategic merge key; "ports" is decided per list (see {@link #mergeKey}). */
    private static final Map<String, String> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", "name"), Map.entry("initContainers", "name"), Map.entry("ephemeralContainers", "name"),
            Map.entry("volumes", "name"), Map.entry("volumeMounts", "mountPath"), Map.entry("volumeDevices", "devicePath"),
            Map.entry("env", "name"), Map.entry("imagePullSecrets", "name"), Map.entry("hostAliases", "ip"),
            Map.entry("conditions", "type"), Map.entry("ownerReferences", "uid"), Map.entry("resourceClaims", "name"));
    private static final Set<String> SETS = Set.of("finalizers");
    /** Defaults of list map keys, used when an element leaves its key out (as the schemas' defaults do). */
    private static final Map<String, String> KEY_DEFAULTS = Map.of("protocol", "TCP");

    private ListTypes() {
    }

    /** Whether the list named {@code field} is a set of values (merged as a union). */
    static boolean isSet(String field) {
        return SETS.contains(field);
    }

    /**
     * The strategic merge key of the list named {@code field}, or null if it is atomic. Container
     * ports merge by containerPort, service ports by port: {@code sample} (an element) decides.
     */
    static String mergeKey(String field, JsonNode sample) {
        if (field.equals("ports")) {
            if (sample == null) {
                return null;
            }
            return sample.has("containerPort") ? "containerPort" : sample.has("port") ? "port" : null;
        }
        return MERGE_KEYS.get(field);
    }

    /** The list map keys server-side apply names the elements by, or null if the list is atomic. */
    static List<String> applyKeys(String field, JsonNode sample) {
        String key = mergeKey(field, sample);
        if (key == null) {
            return null;
        }
        return field.equals("ports") ? List.of(key, "protocol") : List.of(key);
    }

    /** The value a list map key takes when an element leaves it out, or null if it has none. */
    static String keyDefault(String key) {
        return KEY_DEFAULTS.get(key);
    }
}
