package io.kubundle.admin.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

final class BundleNamesTest {
    private final Bundle system = bundle(0, "org.apache.felix.framework", "7.0.5");
    private final Bundle greeterOne = bundle(5, "com.example.greeter", "1.0.0");
    private final Bundle greeterTwo = bundle(7, "com.example.greeter", "2.0.0");
    private final Bundle other = bundle(12, "com.example.other", "1.5.0");
    private final Bundle[] bundles = {system, greeterTwo, greeterOne, other};

    @Test
    void byId() throws Exception {
        assertSame(system, BundleNames.resolve("0", bundles));
        assertSame(other, BundleNames.resolve("12", bundles));
        assertEquals("no bundle named 99", assertThrows(AdminException.class,
                () -> BundleNames.resolve("99", bundles)).getMessage());
    }

    @Test
    void bySymbolicName() throws Exception {
        assertSame(other, BundleNames.resolve("com.example.other", bundles));
        AdminException e = assertThrows(AdminException.class, () -> BundleNames.resolve("com.example.none", bundles));
        assertEquals(404, e.status());
        assertEquals("no bundle named com.example.none", e.getMessage());
    }

    @Test
    void ambiguousSymbolicName() {
        AdminException e = assertThrows(AdminException.class, () -> BundleNames.resolve("com.example.greeter", bundles));
        assertEquals(409, e.status());
        assertEquals("com.example.greeter is ambiguous: installed versions 1.0.0, 2.0.0; use com.example.greeter:<version>",
                e.getMessage());
    }

    @Test
    void bySymbolicNameAndVersion() throws Exception {
        assertSame(greeterTwo, BundleNames.resolve("com.example.greeter:2.0.0", bundles));
        assertSame(greeterOne, BundleNames.resolve("com.example.greeter:1", bundles));
        assertEquals(404, assertThrows(AdminException.class,
                () -> BundleNames.resolve("com.example.greeter:3.0.0", bundles)).status());
        assertEquals("no bundle named com.example.greeter:x.y", assertThrows(AdminException.class,
                () -> BundleNames.resolve("com.example.greeter:x.y", bundles)).getMessage());
    }

    @Test
    void hugeIdIsUnknown() {
        assertEquals(404, assertThrows(AdminException.class,
                () -> BundleNames.resolve("99999999999999999999999", bundles)).status());
    }

    @Test
    void installed() {
        assertSame(greeterOne, BundleNames.installed("com.example.greeter", new Version(1, 0, 0), bundles));
        assertNull(BundleNames.installed("com.example.greeter", new Version(3, 0, 0), bundles));
    }

    static Bundle bundle(long id, String symbolicName, String version) {
        return (Bundle) Proxy.newProxyInstance(BundleNamesTest.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getBundleId":
                            return id;
                        case "getSymbolicName":
                            return symbolicName;
                        case "getVersion":
                            return Version.parseVersion(version);
                        case "toString":
                            return symbolicName + " [" + id + "]";
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
