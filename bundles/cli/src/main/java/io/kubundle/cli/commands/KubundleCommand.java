package io.kubundle.cli.commands;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** The root command; {@code --help} and {@code --version} reach every subcommand through the inherited scope. */
@Command(name = "kubundle",
        description = "Run and manage Kubundle, a Kubernetes-style orchestrator built from OSGi bundles.",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.class,
        subcommands = {UpCommand.class, MasterCommand.class, NodeCommand.class, ClusterCommand.class, SimNodesCommand.class, BundlesCommand.class, ImageCommand.class,
                VersionCommand.class, GetCommand.class, ApplyCommand.class, CreateCommand.class, DeleteCommand.class,
                DescribeCommand.class, LabelCommand.class, AnnotateCommand.class, PatchCommand.class, ExplainCommand.class,
                TokenCommand.class})
public final class KubundleCommand {
}
