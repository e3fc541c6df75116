package io.kubundle.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kubundle version}, and the text of {@code --version}. */
@Command(name = "version", description = "Print the version of kubundle and of the Java runtime.")
final class VersionCommand implements Callable<Integer>, IVersionProvider {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return 0;
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "kubundle " + kubundleVersion(),
            "java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
        };
    }

    // The manifest of this jar, not the first one on the class path, which may be another jar's.
    private static String kubundleVersion() {
        try {
            Manifest manifest = manifest(Path.of(
                    VersionCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
            if (manifest != null) {
                Attributes main = manifest.getMainAttributes();
                for (Attributes.Name header : new Attributes.Name[] {
                        Attributes.Name.IMPLEMENTATION_VERSION, new Attributes.Name("Bundle-Version")}) {
                    String version = main.getValue(header);
                    if (version != null && !version.isBlank()) {
                        return version.strip();
                    }
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // a build without a manifest, such as classes run from an IDE
        }
        return "dev";
    }

    private static Manifest manifest(Path location) throws IOException {
        if (Files.isDirectory(location)) {
            Path file = location.resolve(JarFile.MANIFEST_NAME);
            if (!Files.isRegularFile(file)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(file)) {
                return new Manifest(in);
            }
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            return jar.getManifest();
        }
    }
}
