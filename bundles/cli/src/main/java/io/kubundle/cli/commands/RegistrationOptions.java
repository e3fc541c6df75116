package io.kubundle.cli.commands;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The kubelet's registration flags, for the commands that run nodes ({@code up}, {@code node}, {@code sim-nodes}). */
final class RegistrationOptions {
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    /** A qualified name ({@code [prefix/]name}) as Kubernetes validates label and taint keys. */
    private static final String KEY = "(?<key>(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)";
    private static final String VALUE = "(?<value>(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?)";
    private static final Pattern TAINT = Pattern.compile(KEY + "(?:=" + VALUE + ")?:(?<effect>[A-Za-z]+)");
    private static final Pattern LABEL = Pattern.compile(KEY + "=" + VALUE);

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--register-with-taints", paramLabel = "KEY[=VALUE]:EFFECT", split = ",",
            description = "Taints the nodes register with, like the kubelet's flag (a Node that exists keeps its own), "
                    + "e.g. node-role.kubernetes.io/master=:NoSchedule.")
    List<String> taints = new ArrayList<>();

    @Option(names = "--node-labels", paramLabel = "KEY=VALUE", split = ",",
            description = "Labels the nodes register with, like the kubelet's flag (a Node that exists keeps its own).")
    List<String> labels = new ArrayList<>();

    /**
     * The labels and taints, checked as the API server would check them, as framework properties
     * {@code PREFIX.labels} (a JSON object) and {@code PREFIX.taints} (a JSON array of Kubernetes
     * taints), with {@code extraLabels} and {@code extraTaints} added.
     */
    Map<String, String> properties(String prefix, Map<String, String> extraLabels, List<String> extraTaints) {
        Map<String, String> labelMap = new LinkedHashMap<>(extraLabels);
        List<String> taintList = new ArrayList<>(taints);
        taintList.addAll(extraTaints);
        for (String label : labels) {
            Matcher matcher = LABEL.matcher(label.strip());
            if (!matcher.matches()) {
                throw new ParameterException(mixee.commandLine(), "--node-labels: not KEY=VALUE with a valid key and value: " + label);
            }
            labelMap.put(matcher.group("key"), matcher.group("value"));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode labelJson = json.createObjectNode();
        labelMap.forEach(labelJson::put);
        ArrayNode taintJson = json.createArrayNode();
        Set<String> seen = new HashSet<>();
        for (String taint : taintList) {
            Matcher matcher = TAINT.matcher(taint.strip());
            if (!matcher.matches() || !EFFECTS.contains(matcher.group("effect"))) {
                throw new ParameterException(mixee.commandLine(), "--register-with-taints: not KEY[=VALUE]:EFFECT with a valid key "
                        + "and value and an effect of NoSchedule, PreferNoSchedule or NoExecute: " + taint);
            }
            // one taint per key and effect, as the API server requires
            if (seen.add(matcher.group("key") + ":" + matcher.group("effect"))) {
                String value = matcher.group("value") == null ? "" : matcher.group("value");
                ObjectNode node = taintJson.addObject().put("key", matcher.group("key"));
                if (!value.isEmpty()) {
                    node.put("value", value);
                }
                node.put("effect", matcher.group("effect"));
            }
        }
        return Map.of(prefix + ".labels", labelJson.toString(), prefix + ".taints", taintJson.toString());
    }
}
