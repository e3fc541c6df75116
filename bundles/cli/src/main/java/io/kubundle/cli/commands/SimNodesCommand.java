package io.kubundle.cli.commands;

import io.kubundle.launcher.LaunchException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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

    @Mixin
    ProcessOptions process;

    @Mixin
    RegistrationOptions registration;

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

    /** The labels and taints the nodes register with, as framework properties for the runtime-sim plugin. */
    Map<String, String> registration() {
        return registration.properties("kubundle.sim", controlPlane ? Map.of(CONTROL_PLANE_ROLE, "") : Map.of(),
                controlPlane ? List.of(CONTROL_PLANE_ROLE + ":NoSchedule") : List.of());
    }
}
