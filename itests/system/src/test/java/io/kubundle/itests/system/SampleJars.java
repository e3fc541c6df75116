package io.kubundle.itests.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Jars the system tests install: the sample plugin's next release, and hand-made bundles. */
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

    /** A bundle holding one Declarative Services component description and nothing else. */
    static Path bundle(Path dir, String fileName, String symbolicName, String componentPath, String componentXml)
            throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Service-Component", componentPath);
        Path out = dir.resolve(fileName);
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out), manifest)) {
            jar.putNextEntry(new JarEntry(componentPath));
            jar.write(componentXml.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return out;
    }
}
