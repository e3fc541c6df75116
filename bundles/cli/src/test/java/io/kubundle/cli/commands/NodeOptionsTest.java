package io.kubundle.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

final class NodeOptionsTest {
    private static Map<String, String> properties(String... args) {
        UpCommand command = new UpCommand();
        new CommandLine(command).parseArgs(args);
        return command.node.properties();
    }

    @Test
    void theKubeletsFlagsBecomeFrameworkProperties() {
        Map<String, String> properties = properties("--node-name", "worker-1", "--node-ip", "10.0.0.5", "--kubelet-port", "0",
                "--container-runtime", "runc", "--node-labels", "disktype=ssd", "--register-with-taints", "gpu=yes:NoSchedule");
        assertEquals("worker-1", properties.get("kubundle.kubelet.node-name"));
        assertEquals("10.0.0.5", properties.get("kubundle.kubelet.node-ip"));
        assertEquals("0", properties.get("kubundle.kubelet.port"));
        assertEquals("runc", properties.get("kubundle.kubelet.runtime"));
        assertEquals("{\"disktype\":\"ssd\"}", properties.get("kubundle.kubelet.labels"));
        assertEquals("[{\"key\":\"gpu\",\"value\":\"yes\",\"effect\":\"NoSchedule\"}]", properties.get("kubundle.kubelet.taints"));
    }

    @Test
    void withoutFlagsTheKubeletsConfigurationDecides() {
        assertEquals(Map.of("kubundle.kubelet.labels", "{}", "kubundle.kubelet.taints", "[]"), properties());
    }

    @Test
    void badValuesAreUsageErrors() {
        for (String[] args : new String[][] {{"--node-name", "Worker_1"}, {"--node-ip", "host"}, {"--kubelet-port", "70000"},
            {"--register-with-taints", "gpu"}}) {
            ParameterException error = assertThrows(ParameterException.class, () -> properties(args), String.join(" ", args));
            assertTrue(error.getMessage().startsWith(args[0] + ":"), error.getMessage());
        }
    }
}
