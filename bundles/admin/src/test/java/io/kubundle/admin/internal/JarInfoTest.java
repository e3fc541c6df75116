package io.kubundle.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

final class JarInfoTest {

    @Test
    void readsSymbolicNameVersionAndFragment() throws Exception {
        JarInfo info = JarInfo.read(TestJars.bundle("com.example.greeter; singleton:=true", "1.2.3.qualifier").build());
        assertEquals("com.example.greeter", info.symbolicName());
        assertEquals(new Version(1, 2, 3, "qualifier"), info.version());
        assertFalse(info.fragment());

        JarInfo fragment = JarInfo.read(TestJars.bundle("com.example.texts", "1.0")
                .header("Fragment-Host", "com.example.greeter").build());
        assertTrue(fragment.fragment());
        assertEquals("1.0.0", fragment.version().toString());
    }

    @Test
    void missingVersionIsZero() throws Exception {
        byte[] jar = TestJars.bundle("com.example.a", "0").build();
        assertEquals(Version.emptyVersion, JarInfo.read(jar).version());
    }

    @Test
    void emptyBody() {
        AdminException e = assertThrows(AdminException.class, () -> JarInfo.read(new byte[0]));
        assertEquals(400, e.status());
        assertEquals("no bundle in the request body", e.getMessage());
    }

    @Test
    void notAZip() {
        AdminException e = assertThrows(AdminException.class,
                () -> JarInfo.read("hello, world".getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
        assertEquals("not an OSGi bundle: not a zip or jar file", e.getMessage());
    }

    @Test
    void noManifest() throws Exception {
        AdminException e = assertThrows(AdminException.class, () -> JarInfo.read(zip("readme.txt", "hi")));
        assertEquals("not an OSGi bundle: no META-INF/MANIFEST.MF", e.getMessage());
    }

    @Test
    void manifestAfterOtherEntriesIsFound() throws Exception {
        byte[] jar = zip("readme.txt", "hi", "META-INF/MANIFEST.MF",
                "Manifest-Version: 1.0\r\nBundle-SymbolicName: late\r\nBundle-Version: 2\r\n\r\n");
        JarInfo info = JarInfo.read(jar);
        assertEquals("late", info.symbolicName());
        assertEquals("2.0.0", info.version().toString());
    }

    @Test
    void noSymbolicName() {
        byte[] jar = zip("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nBundle-Version: 1\r\n\r\n");
        AdminException e = assertThrows(AdminException.class, () -> JarInfo.read(jar));
        assertEquals(400, e.status());
        assertEquals("not an OSGi bundle: no Bundle-SymbolicName in the manifest", e.getMessage());
    }

    @Test
    void badVersion() {
        byte[] jar = TestJars.bundle("com.example.a", "1.x").build();
        AdminException e = assertThrows(AdminException.class, () -> JarInfo.read(jar));
        assertEquals("not an OSGi bundle: invalid Bundle-Version 1.x", e.getMessage());
    }

    @Test
    void truncatedJar() {
        byte[] jar = TestJars.bundle("com.example.a", "1").file("big.txt", "x".repeat(10_000)).build();
        byte[] truncated = java.util.Arrays.copyOf(jar, 200);
        AdminException e = assertThrows(AdminException.class, () -> JarInfo.read(truncated));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().startsWith("not an OSGi bundle: "), e.getMessage());
    }

    private static byte[] zip(String... namesAndContents) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new ZipEntry(namesAndContents[i]));
                zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
