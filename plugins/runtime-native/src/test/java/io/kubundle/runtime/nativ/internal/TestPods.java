package io.kubundle.runtime.nativ.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ContainerConfig.Security;
import io.kubundle.api.runtime.Resources;
import io.kubundle.api.runtime.SandboxConfig;

/** The pod and container configs the tests use, logs under {@code <root>/logs}. */
final class TestPods {
    static final List<String> LATE = List.of("sh", "-c", "sleep 2; echo late1; echo late2 >&2; exit 5");
    static final List<String> TICKER = List.of("sh", "-c",
            "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo line $i; sleep 0.02; done");

    private TestPods() {
    }

    static SandboxConfig sandbox(Path root, String cgroupBase, String netnsPath) {
        return new SandboxConfig("uid-1", "default", "pod", 0, "podhost", netnsPath, cgroupBase + "/pod",
                new Resources(1024, 0, 0, 256L << 20), root.resolve("logs").toString(), Map.of("app", "test"), Map.of());
    }

    static ContainerConfig container(Path root, String name, List<String> command) {
        return new ContainerConfig(name, 0, TestImages.IMAGE, command, List.of(), null, List.of(), List.of(),
                root.resolve("logs").resolve(name + ".log").toString(), Resources.NONE, Security.DEFAULT, false, false,
                Map.of("c", name), Map.of());
    }
}
