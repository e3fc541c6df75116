package io.kubundle.cli.commands;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of the commands that run a kubelet ({@code up}, {@code node}), passed to it as framework properties. */
final class NodeOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Mixin
    RegistrationOptions registration;

    @Option(names = "--node-name", paramLabel = "NAME", description = "The Node's name (default: the host name).")
    String nodeName;

    @Option(names = "--node-ip", paramLabel = "IP",
            description = "The Node's InternalIP (default: the address of the default route's interface).")
    String nodeIp;

    @Option(names = "--kubelet-port", paramLabel = "PORT",
            description = "Port of the kubelet's endpoint for logs and exec (default: etc/io.kubundle.kubelet.cfg's, else 10250; 0 picks a free one).")
    Integer kubeletPort;

    @Option(names = "--container-runtime", paramLabel = "NAME",
            description = "Runtime for new pods: auto (runc if it works here, else native), runc, native (default: etc/io.kubundle.kubelet.cfg's, else auto).")
    String runtime;

    /** The framework properties these options set. */
    Map<String, String> properties() {
        Map<String, String> properties = new HashMap<>(registration.properties("kubundle.kubelet", Map.of(), List.of()));
        if (nodeName != null) {
            if (!nodeName.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || nodeName.length() > 253) {
                throw new ParameterException(mixee.commandLine(), "--node-name: " + nodeName + " is not a valid node name (lower case "
                        + "letters, digits, '-' and '.')");
            }
            properties.put("kubundle.kubelet.node-name", nodeName);
        }
        if (nodeIp != null) {
            if (!nodeIp.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
                throw new ParameterException(mixee.commandLine(), "--node-ip: " + nodeIp + " is not an IPv4 address");
            }
            properties.put("kubundle.kubelet.node-ip", nodeIp);
        }
        if (kubeletPort != null) {
            if (kubeletPort < 0 || kubeletPort > 65535) {
                throw new ParameterException(mixee.commandLine(), "--kubelet-port: " + kubeletPort + " is not a port");
            }
            properties.put("kubundle.kubelet.port", Integer.toString(kubeletPort));
        }
        if (runtime != null) {
            properties.put("kubundle.kubelet.runtime", runtime);
        }
        return properties;
    }
}
