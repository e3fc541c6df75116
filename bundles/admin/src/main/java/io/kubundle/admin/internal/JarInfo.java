package io.kubundle.admin.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Constants;
import org.osgi.framework.Version;

/** What the admin endpoint needs to know about an uploaded jar before handing it to the framework. */
record JarInfo(String symbolicName, Version version, boolean fragment) {

    /** Reads the manifest of jar bytes already held in memory; throws 400 when they are not a bundle. */
    static JarInfo read(byte[] jar) throws AdminException {
        if (jar.length == 0) {
            throw new AdminException(400, "no bundle in the request body");
        }
        Manifest manifest = manifestOf(jar);
        Attributes main = manifest.getMainAttributes();
        String bsnHeader = main.getValue(Constants.BUNDLE_SYMBOLICNAME);
        // the header may carry directives such as ;singleton:=true
        String symbolicName = bsnHeader == null ? "" : bsnHeader.split(";", 2)[0].strip();
        if (symbolicName.isEmpty()) {
            throw notABundle("no Bundle-SymbolicName in the manifest");
        }
        String versionHeader = main.getValue(Constants.BUNDLE_VERSION);
        Version version;
        try {
            version = versionHeader == null ? Version.emptyVersion : Version.parseVersion(versionHeader.strip());
        } catch (IllegalArgumentException e) {
            throw notABundle("invalid Bundle-Version " + versionHeader.strip());
        }
        String host = main.getValue(Constants.FRAGMENT_HOST);
        return new JarInfo(symbolicName, version, host != null && !host.isBlank());
    }

    static AdminException notABundle(String why) {
        return new AdminException(400, "not an OSGi bundle: " + AdminException.firstLine(why));
    }

    private static Manifest manifestOf(byte[] jar) throws AdminException {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar), false)) {
            Manifest manifest = in.getManifest();
            boolean anyEntry = manifest != null;
            // read every entry: a damaged jar fails here with a clear 400 rather than later in the framework;
            // JarInputStream also finds the manifest only among the first entries, so look further
            for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                anyEntry = true;
                if (manifest == null && entry.getName().equalsIgnoreCase("META-INF/MANIFEST.MF")) {
                    manifest = new Manifest(in);
                } else {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
            if (manifest == null) {
                throw notABundle(anyEntry ? "no META-INF/MANIFEST.MF" : "not a zip or jar file");
            }
            return manifest;
        } catch (IOException | IllegalArgumentException e) {
            throw notABundle("not a valid jar file (" + e.getMessage() + ")");
        }
    }
}
