package io.kubundle.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubundle.launcher.LaunchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "sim-nodes", description = {"Run N simulated nodes (like kwok) against a cluster: they register, heartbeat,",
    "and report their pods Running and Ready. Fail one by listing it in etc/io.kubundle.runtime.sim.cfg (stopped = NAME,...)."})
final class SimNodesCommand implements Callable<Integer> {
    static final String CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane";
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    /** A qualified name ({@code [prefix/]name}) as Kubernetes validates label and taint keys. */
    private static final String KEY = "(?<key>(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)";
    private static final String VALUE = "(?<value>(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?)";
    private static final Pattern TAINT = Pattern.compile(KEY + "(?:=" + VALUE + ")?:(?<effect>[A-Za-z]+)");
    private static final Pattern LABEL = Pattern.compile(KEY + "=" + VALUE);

    @Mixin
    ProcessOptions process;

    @Spec
    CommandSpec spec;

    @Option(names = "--kubeconfig", paramLabel = "FILE", required = true, description = "The cluster to join.")
    Path kubeconfig;

    @Option(names = "--count", paramLabel = "N", required = true, description = "How many nodes.")
    int count;

    @Option(names = "--prefix", paramLabel = "NAME", defaultValue = "sim",
            description = "Node names are NAME-0, NAME-1, ... (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--control-plane", description = "The nodes register as control-plane nodes, as kubeadm makes them: label "
            + CONTROL_PLANE_ROLE + "=\"\" and taint " + CONTROL_PLANE_ROLE + ":NoSchedule.")
    boolean controlPlane;

    @Option(names = "--register-with-taints", paramLabel = "KEY[=VALUE]:EFFECT", split = ",",
            description = "Taints the nodes register with, like the kubelet's flag (a Node that exists keeps its own), "
                    + "e.g. node-role.kubernetes.io/master=:NoSchedule.")
    List<String> taints = new ArrayList<>();

    @Option(names = "--node-labels", paramLabel = "KEY=VALUE", split = ",",
            description = "Labels the nodes register with, like the kubelet's flag (a Node that exists keeps its own).")
    List<String> labels = new ArrayList<>();

    @Override
    public Integer call() throws LaunchException, InterruptedException {
        if (count < 1) {
            throw new ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        if (!Files.isReadable(kubeconfig)) {
            throw new ParameterException(spec.commandLine(), "cannot read the kubeconfig " + kubeconfig);
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--data-dir")) {
            // beside the default data directory, not in it: `up` holds that one's lock
            process.dataDir = process.dataDir.resolve("sim-nodes-" + prefix);
        }
        String file = kubeconfig.toAbsolutePath().toString();
        System.setProperty("kubundle.kubeconfig", file);
        Map<String, String> properties = new HashMap<>(registration());
        properties.putAll(Map.of("kubundle.kubeconfig", file, "kubundle.sim.count", Integer.toString(count), "kubundle.sim.prefix", prefix));
        return process.run("sim-nodes", properties);
    }

    /**
     * The labels and taints the nodes register with, checked as the API server would check them,
     * as framework properties {@code kubundle.sim.labels} (a JSON object) and
     * {@code kubundle.sim.taints} (a JSON array of Kubernetes taints) for the runtime-sim plugin.
     */
    Map<String, String> registration() {
        Map<String, String> labelMap = new LinkedHashMap<>();
        List<String> taintList = new ArrayList<>(taints);
        if (controlPlane) {
            labelMap.put(CONTROL_PLANE_ROLE, "");
            taintList.add(CONTROL_PLANE_ROLE + ":NoSchedule");
        }
        for (String label : labels) {
            Matcher matcher = LABEL.matcher(label.strip());
            if (!matcher.matches()) {
                throw new ParameterException(spec.commandLine(), "--node-labels: not KEY=VALUE with a valid key and value: " + label);
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
                throw new ParameterException(spec.commandLine(), "--register-with-taints: not KEY[=VALUE]:EFFECT with a valid key and value "
                        + "and an effect of NoSchedule, PreferNoSchedule or NoExecute: " + taint);
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
        return Map.of("kubundle.sim.labels", labelJson.toString(), "kubundle.sim.taints", taintJson.toString());
    }
}
