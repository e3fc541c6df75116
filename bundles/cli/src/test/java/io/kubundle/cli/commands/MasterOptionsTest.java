package io.kubundle.cli.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

final class MasterOptionsTest {
    @Test
    void theGracePeriodBecomesAFrameworkProperty() {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--node-monitor-grace-period", "1m30s");
        assertEquals(Map.of("kubundle.node-monitor-grace-period", "1m30s", "kubundle.api.port", "6443"),
                up.master.with(Map.of("kubundle.api.port", "6443")));
    }

    @Test
    void notGivenItLeavesTheChoiceToTheConfiguration() {
        MasterCommand master = new MasterCommand();
        new CommandLine(master).parseArgs();
        assertEquals(Map.of(), master.master.properties());
    }

    @Test
    void aValueThatIsNotADurationIsAUsageError() {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs("--node-monitor-grace-period", "40");
        assertThrows(ParameterException.class, () -> up.master.properties());
    }
}
