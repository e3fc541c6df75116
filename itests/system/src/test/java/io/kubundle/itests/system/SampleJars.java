package io.kubundle.itests.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The sample plugin's next release: the same jar with another Bundle-Version. */
final class SampleJars {
    private SampleJars() {
    }

    static Path withVersion(Path jar, String version, Path dir) throws IOException {
        Path out = dir.resolve("sample-greeter-" + version + ".jar");
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue("Bundle-Version", version);
            try (JarOutputStream target = new JarOutputStream(Files.newOutputStream(out), manifest)) {
                for (JarEntry entry; (entry = in.getNextJarEntry()) != null;) {
                    target.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(target);
                    target.closeEntry();
                }
            }
        }
        return out;
    }
}
