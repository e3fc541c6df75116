package io.kubundle.runtime.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ContainerConfig.EnvVar;
import io.kubundle.api.runtime.ContainerConfig.Security;
import io.kubundle.api.runtime.ImageService.ImageConfig;
import io.kubundle.api.runtime.Resources;

/** How image and container config merge, as Docker and Kubernetes do. */
final class ProcessSpecTest {
    private static final ImageConfig IMAGE = new ImageConfig(List.of("/entry"), List.of("cmd", "arg"),
            List.of("PATH=/bin", "A=image", "B=image"), "", "", "");

    @Test
    void mergesTheCommandLineAsKubernetes() {
        assertEquals(List.of("/entry", "cmd", "arg"), ProcessSpec.args(config(List.of(), List.of()), IMAGE));
        assertEquals(List.of("/entry", "x"), ProcessSpec.args(config(List.of(), List.of("x")), IMAGE));
        assertEquals(List.of("sh", "-c"), ProcessSpec.args(config(List.of("sh"), List.of("-c")), IMAGE));
        assertEquals(List.of("sh"), ProcessSpec.args(config(List.of("sh"), List.of()), IMAGE));
    }

    @Test
    void theConfigsVariablesReplaceTheImagesInPlace() {
        ContainerConfig c = new ContainerConfig("c", 0, "i", List.of(), List.of(), null,
                List.of(new EnvVar("B", "config"), new EnvVar("C", "new")), List.of(), "/log", Resources.NONE,
                Security.DEFAULT, false, false, Map.of(), Map.of());
        assertEquals(List.of("PATH=/bin", "A=image", "B=config", "C=new", "HOSTNAME=pod"), ProcessSpec.env(c, IMAGE, "pod"));
        ImageConfig bare = new ImageConfig(List.of(), List.of("sh"), List.of(), "", "", "");
        assertEquals(List.of(ProcessSpec.DEFAULT_PATH, "HOSTNAME=pod"), ProcessSpec.env(config(List.of(), List.of()), bare, "pod"));
    }

    private static ContainerConfig config(List<String> command, List<String> args) {
        return new ContainerConfig("c", 0, "i", command, args, null, List.of(), List.of(), "/log", Resources.NONE,
                Security.DEFAULT, false, false, Map.of(), Map.of());
    }
}
