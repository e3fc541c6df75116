package io.kubundle.cli.commands;

import io.kubundle.cli.kube.ApiResource;
import io.kubundle.cli.kube.Cluster;
import io.kubundle.cli.kube.CommandException;
import io.kubundle.cli.kube.Manifests;
import io.kubundle.cli.kube.Manifests.Manifest;
import io.kubundle.client.kube.ApiStatusException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code -f FILE|DIR|-} and {@code -R}: the objects a command reads from files, and where each goes. */
final class FileOptions {
    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "A YAML or JSON file (several documents, or a List), a directory of them, or - for standard input.")
    List<String> filenames = new ArrayList<>();

    @Option(names = {"-R", "--recursive"}, description = "Read the directories of -f recursively.")
    boolean recursive;

    boolean given() {
        return !filenames.isEmpty();
    }

    List<Manifest> read(Cluster cluster) throws CommandException {
        return new Manifests(cluster.client().json()).read(filenames, recursive, System.in);
    }

    /** The object's resource type, from its apiVersion and kind. */
    static ApiResource resourceOf(Cluster cluster, Manifest manifest) throws CommandException, IOException, ApiStatusException {
        try {
            return cluster.catalog().forKind(manifest.apiVersion(), manifest.kind());
        } catch (CommandException e) {
            throw new CommandException("resource mapping not found for name: \"" + manifest.name() + "\" namespace: \""
                    + manifest.namespace() + "\" from \"" + manifest.source() + "\": " + e.getMessage(), e);
        }
    }

    /** The object's namespace: its own, else the command's; null for cluster-scoped types. A conflict is an error. */
    static String namespaceOf(Manifest manifest, ApiResource resource, KubeOptions kube) throws CommandException {
        if (!resource.namespaced()) {
            return null;
        }
        String own = manifest.namespace();
        if (own.isEmpty()) {
            return kube.namespace();
        }
        if (kube.namespaceGiven() && !own.equals(kube.namespace())) {
            throw new CommandException("the namespace from the provided object \"" + own + "\" does not match the namespace \""
                    + kube.namespace() + "\". You must pass '--namespace=" + own + "' to perform this operation.");
        }
        return own;
    }

    /** The name; an object without one is an error. */
    static String nameOf(Manifest manifest) throws CommandException {
        if (manifest.name().isEmpty()) {
            throw new CommandException("resource name may not be empty (an object of kind " + manifest.kind() + " in \""
                    + manifest.source() + "\")");
        }
        return manifest.name();
    }
}
