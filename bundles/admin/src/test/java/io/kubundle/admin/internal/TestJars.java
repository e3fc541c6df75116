package io.kubundle.admin.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds bundle jars in memory; no directory entries, as many tools write them. */
final class TestJars {
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> files = new LinkedHashMap<>();

    private TestJars() {
    }

    static TestJars bundle(String symbolicName, String version) {
        TestJars jar = new TestJars();
        jar.headers.put("Bundle-ManifestVersion", "2");
        jar.headers.put("Bundle-SymbolicName", symbolicName);
        jar.headers.put("Bundle-Version", version);
        return jar;
    }

    TestJars header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    TestJars file(String path, String content) {
        files.put(path, content);
        return this;
    }

    /** Adds a DS component that needs no class of its own: delayed, so SCR never instantiates it. */
    TestJars component(String name, String provides, String... references) {
        StringBuilder xml = new StringBuilder("<scr:component xmlns:scr=\"http://www.osgi.org/xmlns/scr/v1.3.0\" name=\"")
                .append(name).append("\">\n  <implementation class=\"java.lang.Object\"/>\n");
        if (provides != null) {
            xml.append("  <service><provide interface=\"").append(provides).append("\"/></service>\n");
        }
        for (String reference : references) {
            xml.append("  <reference name=\"").append(reference.substring(reference.lastIndexOf('.') + 1))
                    .append("\" interface=\"").append(reference).append("\"/>\n");
        }
        return rawComponent(name, xml.append("</scr:component>\n").toString());
    }

    TestJars rawComponent(String name, String xml) {
        String path = "OSGI-INF/" + name + ".xml";
        files.put(path, xml);
        String existing = headers.get("Service-Component");
        headers.put("Service-Component", existing == null ? path : existing + "," + path);
        return this;
    }

    byte[] build() {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((name, value) -> main.put(new Attributes.Name(name), value));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                jar.putNextEntry(new JarEntry(file.getKey()));
                jar.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
