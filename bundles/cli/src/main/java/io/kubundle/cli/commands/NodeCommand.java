package io.kubundle.cli.commands;

import io.kubundle.launcher.LaunchException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "node", description = "Run the node role: join the master at --server and run its pods.")
final class NodeCommand implements Callable<Integer> {
    @Mixin
    ProcessOptions process;

    @Mixin
    NodeOptions node;

    @Option(names = "--server", paramLabel = "URL", required = true,
            description = "URL of the master's Kubernetes API.")
    URI server;

    @Override
    public Integer call() throws LaunchException, InterruptedException {
        Map<String, String> properties = node.properties();
        properties.put("kubundle.server", server.toString());
        return process.run("node", properties);
    }
}
