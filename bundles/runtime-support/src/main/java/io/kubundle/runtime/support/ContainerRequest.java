package io.kubundle.runtime.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ImageService;
import io.kubundle.api.runtime.ImageService.ImageInfo;
import io.kubundle.api.runtime.Mount;
import io.kubundle.api.runtime.Resources;
import io.kubundle.api.runtime.RuntimeFailure;

/**
 * A {@code createContainer} call checked before anything is made: its config with defaults, its
 * ready sandbox, its image and layers, and the command line from image and config.
 */
public record ContainerRequest(ContainerConfig config, Records.Sandbox sandbox, ImageInfo image, List<Path> layers,
        List<String> args) {

    /** Fails with {@code CreateContainerError} for what would make the creation fail half-way. */
    public static ContainerRequest check(Sandboxes sandboxes, ImageService images, String sandboxId,
            ContainerConfig requested) throws RuntimeFailure {
        ContainerConfig config = withDefaults(requested);
        Records.Sandbox sandbox = sandboxes.read(sandboxId).filter(Records.Sandbox::ready).orElseThrow(
                () -> new RuntimeFailure("CreateContainerError", "no ready sandbox " + sandboxId));
        ImageInfo image;
        List<Path> layers;
        try {
            image = images.status(config.image()).orElseThrow(
                    () -> new RuntimeFailure("CreateContainerError", "image " + config.image() + " is not on the node"));
            layers = images.layers(config.image());
        } catch (RuntimeFailure e) {
            throw new RuntimeFailure("CreateContainerError", e.getMessage(), e);
        }
        List<String> args = ProcessSpec.args(config, image.config());
        if (args.isEmpty()) {
            throw new RuntimeFailure("CreateContainerError", "no command specified (the image has no entrypoint or cmd)");
        }
        for (Mount mount : config.mounts()) {
            if (!Files.exists(Path.of(mount.hostPath()))) {
                throw new RuntimeFailure("CreateContainerError", "mount source " + mount.hostPath() + " does not exist");
            }
        }
        return new ContainerRequest(config, sandbox, image, layers, args);
    }

    private static ContainerConfig withDefaults(ContainerConfig c) {
        if (c.resources() != null && c.security() != null) {
            return c;
        }
        return new ContainerConfig(c.name(), c.attempt(), c.image(), c.command(), c.args(), c.workingDir(), c.env(),
                c.mounts(), c.logPath(), c.resources() == null ? Resources.NONE : c.resources(),
                c.security() == null ? ContainerConfig.Security.DEFAULT : c.security(), c.stdin(), c.stdinOnce(), c.tty(), c.labels(),
                c.annotations());
    }
}
