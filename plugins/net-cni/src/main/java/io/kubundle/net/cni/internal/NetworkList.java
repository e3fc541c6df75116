package io.kubundle.net.cni.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.kubundle.api.network.NetworkFailure;

/**
 * A network configuration list as the CNI spec defines it: {@code cniVersion}, {@code name},
 * {@code disableCheck} and {@code plugins}, each plugin's configuration an object with its
 * {@code type}. A single plugin's configuration ({@code .conf}) is read as a list of one, as libcni
 * does.
 *
 * @param json the list as loaded (a copy is made of what each plugin is given)
 */
record NetworkList(ObjectNode json) {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The placeholder replaced by the node's pod CIDR in any string of the configuration. */
    static final String POD_CIDR_PLACEHOLDER = "{{podCIDR}}";
    /** Calico's spelling of the same, for host-local's {@code subnet}. */
    static final String USE_POD_CIDR = "usePodCidr";
    private static final List<String> EXTENSIONS = List.of(".conflist", ".conf", ".json");

    String name() {
        return json.path("name").asText();
    }

    String cniVersion() {
        return json.path("cniVersion").asText();
    }

    boolean disableCheck() {
        JsonNode value = json.path("disableCheck");
        return value.asBoolean(false) || "true".equalsIgnoreCase(value.asText());
    }

    List<ObjectNode> plugins() {
        List<ObjectNode> plugins = new ArrayList<>();
        json.path("plugins").forEach(plugin -> plugins.add((ObjectNode) plugin));
        return plugins;
    }

    /** A copy with only the first {@code count} plugins. */
    NetworkList first(int count) {
        ObjectNode copy = json.deepCopy();
        ArrayNode plugins = (ArrayNode) copy.get("plugins");
        while (plugins.size() > count) {
            plugins.remove(plugins.size() - 1);
        }
        return new NetworkList(copy);
    }

    /** Parses a {@code .conflist}, or a {@code .conf} as a list of one; {@code source} names it in errors. */
    static NetworkList parse(String text, String source) throws NetworkFailure {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new NetworkFailure("CNI configuration " + source + " is not JSON: " + e.getOriginalMessage(), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new NetworkFailure("CNI configuration " + source + " is not a JSON object");
        }
        if (!object.has("plugins")) {
            ObjectNode list = JSON.createObjectNode();
            list.set("cniVersion", object.path("cniVersion"));
            list.set("name", object.path("name"));
            list.putArray("plugins").add(object);
            object = list;
        }
        NetworkList list = new NetworkList(object);
        if (list.name().isEmpty()) {
            throw new NetworkFailure("CNI configuration " + source + " has no \"name\"");
        }
        if (list.cniVersion().isEmpty()) {
            throw new NetworkFailure("CNI configuration " + source + " has no \"cniVersion\"");
        }
        if (!(object.get("plugins") instanceof ArrayNode plugins) || plugins.isEmpty()) {
            throw new NetworkFailure("CNI configuration " + source + " has no plugins");
        }
        for (JsonNode plugin : plugins) {
            if (!plugin.isObject() || plugin.path("type").asText().isEmpty()) {
                throw new NetworkFailure("CNI configuration " + source + ": every plugin needs a \"type\": " + plugin);
            }
            PluginRunner.requirePluginName(plugin.path("type").asText());
        }
        return list;
    }

    /**
     * The network to use from {@code confDir}: the one named {@code network}, or when that is empty
     * the first file (by name) that parses. Files that do not parse are skipped, and named in the
     * failure when nothing is found.
     */
    static NetworkList load(Path confDir, String network) throws NetworkFailure {
        List<Path> files;
        try (Stream<Path> listing = Files.list(confDir)) {
            files = listing.filter(f -> EXTENSIONS.stream().anyMatch(f.getFileName().toString()::endsWith))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new NetworkFailure("cannot read the CNI configuration directory " + confDir + ": " + e, e);
        }
        List<String> skipped = new ArrayList<>();
        for (Path file : files) {
            NetworkList list;
            try {
                list = parse(Files.readString(file), file.toString());
            } catch (NetworkFailure | IOException e) {
                skipped.add(e.getMessage());
                continue;
            }
            if (network.isEmpty() || network.equals(list.name())) {
                return list;
            }
        }
        throw new NetworkFailure("no CNI network " + (network.isEmpty() ? "" : "named \"" + network + "\" ") + "in " + confDir
                + (skipped.isEmpty() ? "" : " (skipped: " + String.join("; ", skipped) + ")"));
    }

    /** Whether the configuration asks for the node's pod CIDR somewhere. */
    boolean needsPodCidr() {
        return json.toString().contains(POD_CIDR_PLACEHOLDER) || usesPodCidrSubnet(json);
    }

    /**
     * A copy with every {@value #POD_CIDR_PLACEHOLDER} in a string replaced by {@code podCidr}, and
     * a host-local {@code "subnet": "usePodCidr"} set to it.
     */
    NetworkList withPodCidr(String podCidr) {
        ObjectNode copy = json.deepCopy();
        substitute(copy, podCidr);
        return new NetworkList(copy);
    }

    private static boolean usesPodCidrSubnet(JsonNode node) {
        if (node.isObject() && "host-local".equals(node.path("type").asText()) && USE_POD_CIDR.equals(node.path("subnet").asText())) {
            return true;
        }
        for (JsonNode child : node) {
            if (usesPodCidrSubnet(child)) {
                return true;
            }
        }
        return false;
    }

    private static void substitute(JsonNode node, String podCidr) {
        if (node instanceof ObjectNode object) {
            boolean hostLocal = "host-local".equals(object.path("type").asText());
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode value = object.get(name);
                if (value.isTextual()) {
                    String text = value.asText();
                    if (hostLocal && name.equals("subnet") && text.equals(USE_POD_CIDR)) {
                        object.put(name, podCidr);
                    } else if (text.contains(POD_CIDR_PLACEHOLDER)) {
                        object.put(name, text.replace(POD_CIDR_PLACEHOLDER, podCidr));
                    }
                } else {
                    substitute(value, podCidr);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = array.get(i);
                if (value.isTextual() && value.asText().contains(POD_CIDR_PLACEHOLDER)) {
                    array.set(i, TextNode.valueOf(value.asText().replace(POD_CIDR_PLACEHOLDER, podCidr)));
                } else {
                    substitute(value, podCidr);
                }
            }
        }
    }
}
