package io.kubundle.cli.commands;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of the commands that run a master ({@code master}, {@code up}), passed to its controllers as framework properties. */
final class MasterOptions {
    /** Go's duration syntax, as the controllers read it: 40s, 1m, 1m30s, 500ms. */
    private static final Pattern GO_DURATION = Pattern.compile("0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h))+");

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--node-monitor-grace-period", paramLabel = "DURATION",
            description = "How long a node may go without a heartbeat before it is marked Unknown and tainted unreachable"
                    + " (Go syntax: 40s, 1m; default: etc/io.kubundle.controller.nodelifecycle.cfg's, else 40s).")
    String nodeMonitorGracePeriod;

    /** The framework properties these options set. */
    Map<String, String> properties() {
        Map<String, String> properties = new HashMap<>();
        if (nodeMonitorGracePeriod != null) {
            if (!GO_DURATION.matcher(nodeMonitorGracePeriod).matches()) {
                throw new ParameterException(mixee.commandLine(), "Invalid value for option '--node-monitor-grace-period': "
                        + nodeMonitorGracePeriod + " is not a duration (like 40s or 1m)");
            }
            properties.put("kubundle.node-monitor-grace-period", nodeMonitorGracePeriod);
        }
        return properties;
    }

    /** These options' properties and {@code others}. */
    Map<String, String> with(Map<String, String> others) {
        Map<String, String> all = properties();
        all.putAll(others);
        return all;
    }
}
