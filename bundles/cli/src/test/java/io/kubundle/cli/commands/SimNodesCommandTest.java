package io.kubundle.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

final class SimNodesCommandTest {
    private static Map<String, String> registration(String... args) {
        SimNodesCommand command = new SimNodesCommand();
        new CommandLine(command).parseArgs(args);
        return command.registration();
    }

    private static Map<String, String> registered(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(new String[] {"--kubeconfig", "k", "--count", "1"}, 0, all, 0, 4);
        System.arraycopy(args, 0, all, 4, args.length);
        return registration(all);
    }

    @Test
    void byDefaultNodesRegisterWithoutLabelsOrTaintsOfTheirOwn() {
        assertEquals(Map.of("kubundle.sim.labels", "{}", "kubundle.sim.taints", "[]"), registered());
    }

    @Test
    void controlPlaneNodesGetKubeadmsLabelAndTaint() {
        assertEquals(Map.of("kubundle.sim.labels", "{\"node-role.kubernetes.io/control-plane\":\"\"}",
                "kubundle.sim.taints", "[{\"key\":\"node-role.kubernetes.io/control-plane\",\"effect\":\"NoSchedule\"}]"),
                registered("--control-plane"));
    }

    @Test
    void taintsAndLabelsAreWrittenAsTheKubeletTakesThem() {
        Map<String, String> properties = registered("--register-with-taints", "node-role.kubernetes.io/master=:NoSchedule,dedicated=gpu:NoExecute",
                "--register-with-taints", "spot:PreferNoSchedule", "--node-labels", "node-role.kubernetes.io/master=,disktype=ssd",
                "--control-plane");
        assertEquals("[{\"key\":\"node-role.kubernetes.io/master\",\"effect\":\"NoSchedule\"},"
                + "{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoExecute\"},"
                + "{\"key\":\"spot\",\"effect\":\"PreferNoSchedule\"},"
                + "{\"key\":\"node-role.kubernetes.io/control-plane\",\"effect\":\"NoSchedule\"}]", properties.get("kubundle.sim.taints"));
        assertEquals("{\"node-role.kubernetes.io/control-plane\":\"\",\"node-role.kubernetes.io/master\":\"\",\"disktype\":\"ssd\"}",
                properties.get("kubundle.sim.labels"));
    }

    @Test
    void aTaintGivenTwiceIsRegisteredOnce() {
        assertEquals("[{\"key\":\"node-role.kubernetes.io/control-plane\",\"effect\":\"NoSchedule\"}]",
                registered("--control-plane", "--register-with-taints", "node-role.kubernetes.io/control-plane:NoSchedule")
                        .get("kubundle.sim.taints"));
    }

    @Test
    void malformedTaintsAndLabelsAreUsageErrors() {
        for (String taint : new String[] {"key=value", "key:Sometimes", "=v:NoSchedule", "bad key:NoSchedule", "k=v v:NoExecute"}) {
            ParameterException error = assertThrows(ParameterException.class, () -> registered("--register-with-taints", taint), taint);
            assertTrue(error.getMessage().startsWith("--register-with-taints: not KEY[=VALUE]:EFFECT"), error.getMessage());
        }
        for (String label : new String[] {"novalue", "=v", "k=a b", "-k=v"}) {
            ParameterException error = assertThrows(ParameterException.class, () -> registered("--node-labels", label), label);
            assertTrue(error.getMessage().startsWith("--node-labels: not KEY=VALUE"), error.getMessage());
        }
    }
}
