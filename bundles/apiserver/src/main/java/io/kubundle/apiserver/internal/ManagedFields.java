package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Server-side apply and {@code metadata.managedFields}: which manager owns which fields of an
 * object, as Kubernetes records it, without a typed schema ({@link ListTypes} names the keyed
 * lists and sets).
 *
 * <p>A field path is a list of elements in Kubernetes' {@code FieldsV1} notation: {@code f:spec}
 * for a field, <code>k:{"name":"web"}</code> for the element of a keyed list,
 * {@code v:"kubernetes"} for the element of a set, {@code i:0} for an element of an atomic
 * list when a key is missing. An entry owns a set of paths: the leaves (scalars, atomic lists,
 * set elements, empty objects) and the elements of keyed lists.
 *
 * <ul>
 * <li>An <b>update</b> (create, update, every patch but apply) owns the fields it changed, added
 * to what its entry owned before; they are taken from every other entry, without conflict.
 * <li>An <b>apply</b> owns exactly the fields of its configuration. The configuration is merged
 * into the live object (as a strategic merge patch merges it); fields it owned by the previous
 * apply and leaves out now are removed unless another entry owns them (or something below
 * them). A field the apply changes that another entry owns is a conflict (409), unless forced,
 * which moves the field to the applier.
 * </ul>
 */
final class ManagedFields {
    static final String APPLY = "Apply";
    static final String UPDATE = "Update";
    /** Kubernetes' limit on the length of a field manager. */
    static final int MAX_MANAGER_LENGTH = 128;
    /** The manager Kubernetes gives to what an object held before its first apply, when it had no managedFields. */
    static final String BEFORE_FIRST_APPLY = "before-first-apply";
    /** Metadata the server sets: nobody owns it. */
    private static final Set<String> SERVER_METADATA = Set.of("name", "namespace", "uid", "resourceVersion", "generation",
            "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields");
    private static final List<String> ROOT = List.of();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ManagedFields() {
    }

    /** Which top-level fields a write through a given path owns. */
    enum Scope {
        /** Types without a status subresource: every field. */
        ALL,
        /** The main resource of a type with a status subresource: its status is not written there. */
        WITHOUT_STATUS,
        /** The status subresource: only the status. */
        STATUS_ONLY;

        static Scope of(ResourceType type, String subresource) {
            if ("status".equals(subresource)) {
                return STATUS_ONLY;
            }
            return type.hasStatus() ? WITHOUT_STATUS : ALL;
        }

        boolean counts(String topLevelField) {
            if (topLevelField.equals("apiVersion") || topLevelField.equals("kind")) {
                return false;
            }
            return switch (this) {
                case ALL -> true;
                case WITHOUT_STATUS -> !topLevelField.equals("status");
                case STATUS_ONLY -> topLevelField.equals("status");
            };
        }
    }

    /**
     * Who makes a write, for managedFields.
     *
     * @param manager the field manager
     * @param applied the applied configuration of an apply, null for an update
     * @param force whether an apply takes the fields it conflicts on
     */
    record Writer(String manager, ObjectNode applied, boolean force) {
        static Writer update(String manager) {
            return new Writer(manager, null, false);
        }

        static Writer apply(String manager, ObjectNode config, boolean force) {
            return new Writer(manager, config, force);
        }
    }

    /** One entry of {@code metadata.managedFields}. */
    record Entry(String manager, String operation, String apiVersion, String subresource, String time, Set<List<String>> fields) {
        /** Kubernetes' manager identity: the apiVersion counts for updates only; the time never does. */
        boolean sameManager(String otherManager, String otherOperation, String otherApiVersion, String otherSubresource) {
            return manager.equals(otherManager) && operation.equals(otherOperation) && subresource.equals(otherSubresource)
                    && (operation.equals(APPLY) || apiVersion.equals(otherApiVersion));
        }

        Entry withFields(Set<List<String>> newFields) {
            return new Entry(manager, operation, apiVersion, subresource, time, newFields);
        }

        /** As conflicts name the manager: {@code "kubectl" with subresource "scale" using apps/v1}. */
        String describe() {
            StringBuilder text = new StringBuilder(quote(manager));
            if (!subresource.isEmpty()) {
                text.append(" with subresource ").append(quote(subresource));
            }
            if (operation.equals(UPDATE)) {
                text.append(" using ").append(apiVersion);
            }
            return text.toString();
        }
    }

    /**
     * The manager of a write that names none: the User-Agent up to its first '/', printable
     * characters only, at most {@link #MAX_MANAGER_LENGTH} long, as Kubernetes derives it
     * ({@code kubectl/v1.32.0 (linux/amd64)} is {@code kubectl}).
     */
    static String managerFromUserAgent(String userAgent) {
        if (userAgent == null) {
            return "";
        }
        int slash = userAgent.indexOf('/');
        String prefix = slash < 0 ? userAgent : userAgent.substring(0, slash);
        StringBuilder manager = new StringBuilder();
        prefix.codePoints().filter(ManagedFields::printable).forEach(manager::appendCodePoint);
        return manager.length() > MAX_MANAGER_LENGTH ? manager.substring(0, MAX_MANAGER_LENGTH) : manager.toString();
    }

    static boolean printable(int codePoint) {
        return codePoint == ' ' || (!Character.isISOControl(codePoint) && !Character.isWhitespace(codePoint)
                && Character.isDefined(codePoint) && Character.getType(codePoint) != Character.FORMAT);
    }

    // ---- the write paths

    /**
     * The object an apply writes, before defaulting: {@code config} merged into {@code live}
     * (null when the apply creates the object), less the fields this manager applied before,
     * left out now, and nobody else owns.
     */
    static ObjectNode merge(ObjectNode live, ObjectNode config, String manager, String subresource, Scope scope) {
        ObjectNode patch = config.deepCopy();
        patch.with("metadata").remove(List.of("managedFields", "resourceVersion"));
        if (scope == Scope.WITHOUT_STATUS) {
            patch.remove("status");
        }
        if (live == null) {
            return patch;
        }
        ObjectNode merged = (ObjectNode) StrategicMergePatch.apply(live, patch);
        List<Entry> entries = entries(live);
        Set<List<String>> wanted = walk(config, scope).members;
        Set<List<String>> appliedBefore = new HashSet<>();
        Set<List<String>> others = new HashSet<>();
        for (Entry entry : entries) {
            if (entry.sameManager(manager, APPLY, "", subresource(subresource))) {
                appliedBefore.addAll(entry.fields());
            } else {
                others.addAll(entry.fields());
            }
        }
        Set<List<String>> kept = new HashSet<>(wanted);
        kept.addAll(others);
        for (List<String> path : appliedBefore) {
            if (!wanted.contains(path) && !ownsAtOrBelow(others, path)) {
                remove(merged, path, kept);
            }
        }
        return merged;
    }

    /**
     * Records in {@code next} (the object about to be written, after defaulting) who owns its
     * fields after this write; {@code live} is the object before (null on create). Does nothing
     * for a null writer.
     *
     * @throws ApiException 409 when an apply changes fields other managers own and does not force
     */
    static void record(ObjectNode live, ObjectNode next, Writer writer, String apiVersion, String subresource, Scope scope)
            throws ApiException {
        if (writer == null) {
            return;
        }
        String sub = subresource(subresource);
        Tree before = live == null ? new Tree() : walk(live, scope);
        Tree after = walk(next, scope);
        Set<List<String>> changed = new HashSet<>();
        for (List<String> path : after.members) {
            if (!before.nodes.containsKey(path) || (after.leaves.contains(path) && !sameValue(before.nodes.get(path), after.nodes.get(path)))) {
                changed.add(path);
            }
        }
        Set<List<String>> removed = new HashSet<>(before.nodes.keySet());
        removed.removeAll(after.nodes.keySet());
        String now = ObjectStorage.now();
        List<Entry> result = writer.applied() != null
                ? applied(live, before, writer, apiVersion, sub, scope, changed, removed, now)
                : updated(startingEntries(live, next, sub), writer.manager(), apiVersion, sub, changed, removed, now);
        if (writer.applied() != null) {
            ClientSideApply.keepInStep(writer.manager(), live, next, writer.applied());
        }
        if (result.isEmpty()) {
            next.with("metadata").remove("managedFields");
        } else {
            next.with("metadata").set("managedFields", encode(result));
        }
    }

    private static List<Entry> applied(ObjectNode live, Tree before, Writer writer, String apiVersion, String sub, Scope scope,
            Set<List<String>> changed, Set<List<String>> removed, String now) throws ApiException {
        List<Entry> entries = live == null ? List.of() : entries(live);
        if (live != null && entries.isEmpty() && !before.members.isEmpty()) {
            // what the object held before managedFields were kept: its first apply conflicts on what it changes
            entries = List.of(new Entry(BEFORE_FIRST_APPLY, UPDATE, apiVersion, "", now, before.members));
        }
        Map<Entry, Set<List<String>>> conflicts = new LinkedHashMap<>();
        Entry previous = null;
        for (Entry entry : entries) {
            if (entry.sameManager(writer.manager(), APPLY, "", sub)) {
                previous = entry;
                continue;
            }
            Set<List<String>> conflict = new HashSet<>(entry.fields());
            conflict.retainAll(changed);
            if (!conflict.isEmpty()) {
                conflicts.put(entry, conflict);
            }
        }
        if (!conflicts.isEmpty() && !writer.force()
                && !ClientSideApply.handsOver(writer.manager(), live, before, conflicts.values(), scope)) {
            throw conflict(conflicts);
        }
        List<Entry> result = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry != previous) {
                Set<List<String>> fields = new HashSet<>(entry.fields());
                fields.removeAll(conflicts.getOrDefault(entry, Set.of()));
                fields.removeAll(removed);
                if (!fields.isEmpty()) {
                    result.add(entry.withFields(fields));
                }
            }
        }
        Set<List<String>> owned = walk(writer.applied(), scope).members;
        if (!owned.isEmpty()) {
            // an apply that sets nothing keeps no entry, as Kubernetes drops every empty one
            boolean touched = previous == null || !changed.isEmpty() || !removed.isEmpty();
            String time = touched || previous.time() == null ? now : previous.time();
            result.add(new Entry(writer.manager(), APPLY, apiVersion, sub, time, owned));
        }
        return result;
    }

    private static List<Entry> updated(List<Entry> entries, String manager, String apiVersion, String sub,
            Set<List<String>> changed, Set<List<String>> removed, String now) {
        List<Entry> result = new ArrayList<>();
        Entry previous = null;
        for (Entry entry : entries) {
            if (entry.sameManager(manager, UPDATE, apiVersion, sub)) {
                previous = entry;
                continue;
            }
            Set<List<String>> fields = new HashSet<>(entry.fields());
            fields.removeAll(changed);
            fields.removeAll(removed);
            if (!fields.isEmpty()) {
                result.add(entry.withFields(fields));
            }
        }
        Set<List<String>> owned = new HashSet<>(previous == null ? Set.of() : previous.fields());
        owned.removeAll(removed);
        owned.addAll(changed);
        if (!owned.isEmpty()) {
            String time = changed.isEmpty() && previous != null ? previous.time() : now;
            result.add(new Entry(manager, UPDATE, apiVersion, sub, time, owned));
        }
        return result;
    }

    /**
     * The entries an update starts from: those it sends when they are valid and it writes the
     * main resource (a client may rewrite managedFields, as kubectl does when it moves fields
     * from client-side to server-side apply), none when it sends {@code []} or <code>[{}]</code>
     * (a reset), else the live object's.
     */
    private static List<Entry> startingEntries(ObjectNode live, ObjectNode next, String sub) {
        List<Entry> liveEntries = live == null ? List.of() : entries(live);
        JsonNode sent = next.path("metadata").path("managedFields");
        if (!sub.isEmpty() || !sent.isArray()) {
            return liveEntries;
        }
        if (sent.isEmpty() || (sent.size() == 1 && sent.get(0).isObject() && sent.get(0).isEmpty())) {
            return List.of();
        }
        try {
            return decode(sent);
        } catch (IllegalArgumentException e) {
            return liveEntries;
        }
    }

    private static ApiException conflict(Map<Entry, Set<List<String>>> conflicts) {
        List<ApiException.Cause> causes = new ArrayList<>();
        Map<String, List<String>> byManager = new TreeMap<>();
        for (Map.Entry<Entry, Set<List<String>>> conflict : conflicts.entrySet()) {
            String manager = conflict.getKey().describe();
            for (List<String> path : sorted(conflict.getValue())) {
                causes.add(new ApiException.Cause("FieldManagerConflict", describe(path), "conflict with " + manager));
                byManager.computeIfAbsent(manager, m -> new ArrayList<>()).add(describe(path));
            }
        }
        StringBuilder message = new StringBuilder("Apply failed with ").append(causes.size());
        if (causes.size() == 1) {
            message.append(" conflict: ").append(causes.get(0).message()).append(": ").append(causes.get(0).field());
        } else {
            message.append(" conflicts: ");
            String separator = "";
            for (Map.Entry<String, List<String>> manager : byManager.entrySet()) {
                message.append(separator).append("conflicts with ").append(manager.getKey()).append(':');
                for (String field : manager.getValue()) {
                    message.append("\n- ").append(field);
                }
                separator = "\n";
            }
        }
        return ApiException.applyConflict(message.toString(), causes);
    }

    // ---- entries

    /** The entries of an object's managedFields; empty if it has none or they cannot be read. */
    static List<Entry> entries(JsonNode object) {
        try {
            return decode(object.path("metadata").path("managedFields"));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    static List<Entry> decode(JsonNode managedFields) {
        List<Entry> entries = new ArrayList<>();
        if (managedFields.isMissingNode() || managedFields.isNull()) {
            return entries;
        }
        if (!managedFields.isArray()) {
            throw new IllegalArgumentException("managedFields must be a list");
        }
        for (JsonNode entry : managedFields) {
            String operation = entry.path("operation").asText("");
            if (!operation.equals(APPLY) && !operation.equals(UPDATE)) {
                throw new IllegalArgumentException("operation must be Apply or Update");
            }
            if (entry.has("fieldsType") && !entry.path("fieldsType").asText().equals("FieldsV1")) {
                throw new IllegalArgumentException("fieldsType must be FieldsV1");
            }
            String time = entry.path("time").isTextual() ? entry.path("time").asText() : null;
            Entry decoded = new Entry(entry.path("manager").asText(""), operation, entry.path("apiVersion").asText(""),
                    entry.path("subresource").asText(""), time, fromFieldsV1(entry.path("fieldsV1")));
            for (Entry other : entries) {
                if (other.sameManager(decoded.manager(), decoded.operation(), decoded.apiVersion(), decoded.subresource())) {
                    throw new IllegalArgumentException("duplicate entry for " + decoded.describe());
                }
            }
            entries.add(decoded);
        }
        return entries;
    }

    /** The managedFields list, in Kubernetes' order: Apply before Update, then by time, manager, apiVersion. */
    static ArrayNode encode(List<Entry> entries) {
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparing(Entry::operation).thenComparing(e -> Objects.requireNonNullElse(e.time(), ""))
                .thenComparing(Entry::manager).thenComparing(Entry::apiVersion).thenComparing(Entry::subresource));
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (Entry entry : ordered) {
            ObjectNode encoded = list.addObject();
            encoded.put("manager", entry.manager()).put("operation", entry.operation()).put("apiVersion", entry.apiVersion());
            if (entry.time() != null) {
                encoded.put("time", entry.time());
            }
            encoded.put("fieldsType", "FieldsV1");
            encoded.set("fieldsV1", toFieldsV1(entry.fields()));
            if (!entry.subresource().isEmpty()) {
                encoded.put("subresource", entry.subresource());
            }
        }
        return list;
    }

    // ---- FieldsV1

    /** The FieldsV1 tree of a set of paths: a member with children carries {@code "."}. */
    static ObjectNode toFieldsV1(Set<List<String>> fields) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        for (List<String> path : fields) {
            ObjectNode node = root;
            for (String element : path) {
                node = node.with(element);
            }
            node.putObject(".");
        }
        return sortAndTrim(root);
    }

    private static ObjectNode sortAndTrim(ObjectNode node) {
        ObjectNode sorted = JsonNodeFactory.instance.objectNode();
        boolean member = node.has(".");
        if (member && node.size() > 1) {
            sorted.putObject(".");
        }
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.remove(".");
        names.sort(Comparator.comparingInt((String name) -> "fkvi".indexOf(name.charAt(0))).thenComparing(Comparator.naturalOrder()));
        for (String name : names) {
            sorted.set(name, sortAndTrim((ObjectNode) node.get(name)));
        }
        return sorted;
    }

    /** The paths of a FieldsV1 tree. */
    static Set<List<String>> fromFieldsV1(JsonNode fields) {
        Set<List<String>> paths = new HashSet<>();
        if (fields.isMissingNode() || fields.isNull()) {
            return paths;
        }
        if (!fields.isObject()) {
            throw new IllegalArgumentException("fieldsV1 must be an object");
        }
        readFieldsV1(fields, ROOT, paths);
        return paths;
    }

    private static void readFieldsV1(JsonNode node, List<String> path, Set<List<String>> paths) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> child = it.next();
            String name = child.getKey();
            if (name.equals(".")) {
                if (!path.isEmpty()) {
                    paths.add(path);
                }
                continue;
            }
            if (name.length() < 2 || name.charAt(1) != ':' || "fkvi".indexOf(name.charAt(0)) < 0 || !child.getValue().isObject()) {
                throw new IllegalArgumentException("not a FieldsV1 element: " + name);
            }
            List<String> childPath = append(path, name);
            if (child.getValue().isEmpty()) {
                paths.add(childPath);
            } else {
                readFieldsV1(child.getValue(), childPath, paths);
            }
        }
    }

    /** A path as Kubernetes prints it in conflicts: {@code .spec.template.spec.containers[name="web"].image}. */
    static String describe(List<String> path) {
        StringBuilder text = new StringBuilder();
        for (String element : path) {
            String rest = element.substring(2);
            switch (element.charAt(0)) {
                case 'f' -> text.append('.').append(rest);
                case 'k' -> {
                    text.append('[');
                    String separator = "";
                    JsonNode key = readJson(rest);
                    for (Iterator<Map.Entry<String, JsonNode>> it = key.fields(); it.hasNext();) {
                        Map.Entry<String, JsonNode> field = it.next();
                        text.append(separator).append(field.getKey()).append('=').append(field.getValue());
                        separator = ",";
                    }
                    text.append(']');
                }
                case 'v' -> text.append("[=").append(rest).append(']');
                default -> text.append('[').append(rest).append(']');
            }
        }
        return text.toString();
    }

    private static List<List<String>> sorted(Set<List<String>> paths) {
        List<List<String>> list = new ArrayList<>(paths);
        list.sort(Comparator.comparing(ManagedFields::describe));
        return list;
    }

    // ---- walking objects

    /** Every node of an object within a scope, by path, with the nodes an owner owns (members) and the leaves. */
    static final class Tree {
        final Map<List<String>, JsonNode> nodes = new HashMap<>();
        final Set<List<String>> members = new HashSet<>();
        final Set<List<String>> leaves = new HashSet<>();
    }

    /** The tree of an object; {@link Tree#members} is the set of fields that object sets. */
    static Tree walk(JsonNode object, Scope scope) {
        Tree tree = new Tree();
        if (object instanceof ObjectNode root) {
            walkObject(root, ROOT, tree, scope);
        }
        return tree;
    }

    private static void walkObject(ObjectNode object, List<String> path, Tree tree, Scope scope) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if ((path.isEmpty() && !scope.counts(name)) || (path.size() == 1 && path.get(0).equals("f:metadata")
                    && SERVER_METADATA.contains(name))) {
                continue;
            }
            walkValue(field.getValue(), append(path, "f:" + name), name, tree, scope);
        }
    }

    private static void walkValue(JsonNode value, List<String> path, String field, Tree tree, Scope scope) {
        tree.nodes.put(path, value);
        if (value instanceof ObjectNode object) {
            if (object.isEmpty()) {
                tree.members.add(path);
            }
            walkObject(object, path, tree, scope);
            return;
        }
        List<String> names = value instanceof ArrayNode array ? elementNames(field, array) : null;
        if (names == null) {
            tree.members.add(path);
            tree.leaves.add(path);
            return;
        }
        for (int i = 0; i < names.size(); i++) {
            List<String> elementPath = append(path, names.get(i));
            JsonNode element = value.get(i);
            tree.nodes.put(elementPath, element);
            tree.members.add(elementPath);
            if (element instanceof ObjectNode object) {
                walkObject(object, elementPath, tree, scope);
            } else {
                tree.leaves.add(elementPath);
            }
        }
    }

    /**
     * The path elements of the elements of a keyed list or a set, or null if the list is atomic
     * (or an element lacks a key, or two share one).
     */
    static List<String> elementNames(String field, ArrayNode list) {
        boolean set = ListTypes.isSet(field);
        List<String> keys = set ? null : ListTypes.applyKeys(field, list.isEmpty() ? null : list.get(0));
        if (!set && keys == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (JsonNode element : list) {
            String name = set ? (element.isValueNode() ? "v:" + element : null) : keyName(element, keys);
            if (name == null || names.contains(name)) {
                return null;
            }
            names.add(name);
        }
        return names;
    }

    private static String keyName(JsonNode element, List<String> keys) {
        if (!element.isObject()) {
            return null;
        }
        ObjectNode key = JsonNodeFactory.instance.objectNode();
        for (String name : keys.stream().sorted().toList()) {
            JsonNode value = element.get(name);
            if (value == null || value.isNull()) {
                String fallback = ListTypes.keyDefault(name);
                if (fallback == null) {
                    return null;
                }
                value = TextNode.valueOf(fallback);
            }
            key.set(name, value);
        }
        return "k:" + key;
    }

    /** Removes the node at {@code path}, then the objects and lists it leaves empty that {@code kept} does not name. */
    private static void remove(ObjectNode root, List<String> path, Set<List<String>> kept) {
        for (List<String> at = path; !at.isEmpty(); at = at.subList(0, at.size() - 1)) {
            JsonNode parent = root;
            String field = null;
            for (String element : at.subList(0, at.size() - 1)) {
                parent = child(parent, element, field);
                field = element.startsWith("f:") ? element.substring(2) : field;
                if (parent == null) {
                    return;
                }
            }
            JsonNode node = child(parent, at.get(at.size() - 1), field);
            boolean empty = node != null && node.isContainerNode() && node.isEmpty();
            if (node == null || (at != path && (!empty || kept.contains(at)))) {
                return;
            }
            String last = at.get(at.size() - 1);
            if (parent instanceof ObjectNode object) {
                object.remove(last.substring(2));
            } else if (parent instanceof ArrayNode array) {
                array.remove(elementNames(field, array).indexOf(last));
            }
        }
    }

    private static JsonNode child(JsonNode node, String element, String field) {
        if (element.startsWith("f:")) {
            return node instanceof ObjectNode object ? object.get(element.substring(2)) : null;
        }
        if (node instanceof ArrayNode array) {
            List<String> names = elementNames(field, array);
            int at = names == null ? -1 : names.indexOf(element);
            return at < 0 ? null : array.get(at);
        }
        return null;
    }

    private static boolean ownsAtOrBelow(Set<List<String>> owned, List<String> path) {
        for (List<String> other : owned) {
            if (other.size() >= path.size() && other.subList(0, path.size()).equals(path)) {
                return true;
            }
        }
        return false;
    }

    /** Leaves compare by value: the 2 of a YAML body equals the 2 read back from storage, whatever Java type holds it. */
    static boolean sameValue(JsonNode a, JsonNode b) {
        if (a != null && b != null && a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return Objects.equals(a, b);
    }

    private static List<String> append(List<String> path, String element) {
        List<String> longer = new ArrayList<>(path.size() + 1);
        longer.addAll(path);
        longer.add(element);
        return List.copyOf(longer);
    }

    private static String subresource(String subresource) {
        return subresource == null ? "" : subresource;
    }

    private static String quote(String text) {
        return TextNode.valueOf(text).toString();
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JsonNodeFactory.instance.objectNode();
        }
    }
}
