package io.kubundle.cli.commands;

import io.kubundle.launcher.LaunchException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", description = "Run a master and a node in this process: a one-machine cluster.")
final class UpCommand implements Callable<Integer> {
    @Mixin
    ProcessOptions process;

    @Mixin
    MasterOptions master;

    @Mixin
    NodeOptions node;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "6443",
            description = "Port of the Kubernetes API (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws LaunchException, InterruptedException {
        Map<String, String> properties = node.properties();
        properties.put("kubundle.api.port", process.port("--port", port));
        return process.run("up", master.with(properties));
    }
}
