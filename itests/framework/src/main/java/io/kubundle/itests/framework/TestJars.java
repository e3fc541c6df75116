package io.kubundle.itests.framework;

import java.nio.file.Path;

/** The sample plugin jar as the build made it; the bndrun passes its path. */
final class TestJars {
    private TestJars() {
    }

    static Path sample() {
        return Path.of(System.getProperty("kubundle.sample.jar", "missing: kubundle.sample.jar"));
    }
}
