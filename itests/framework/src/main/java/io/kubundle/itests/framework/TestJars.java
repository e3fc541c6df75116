package io.kubundle.itests.framework;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** The jars the tests install: the built sample plugin, re-versioned copies of it, hand-made bundles. */
final class TestJars {
    private TestJars() {
    }

    /** The sample plugin as the build made it. */
    static Path sample() {
        return Path.of(System.getProperty("kubundle.sample.jar", "missing: kubundle.sample.jar"));
    }

    /** A copy of a bundle with another Bundle-Version: what a vendor's next release looks like. */
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

    /** A bundle made of a manifest and text entries. */
    static Path bundle(Path dir, String fileName, Map<String, String> headers, Map<String, String> entries) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        headers.forEach(manifest.getMainAttributes()::putValue);
        Path out = dir.resolve(fileName);
        try (OutputStream file = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(entry.getKey()));
                jar.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return out;
    }

    static InputStream open(Path jar) throws IOException {
        return Files.newInputStream(jar);
    }
}
