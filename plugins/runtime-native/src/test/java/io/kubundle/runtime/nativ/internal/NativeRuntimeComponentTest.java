package io.kubundle.runtime.nativ.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

import io.kubundle.api.runtime.ImageService;

/** The component as Declarative Services makes it: its root directory and name. */
final class NativeRuntimeComponentTest {
    @TempDir
    Path dataDir;

    @Test
    void keepsItsStateUnderTheDataDirectoryByDefault() throws Exception {
        try (NativeRuntime runtime = new NativeRuntime(new TestImagesNone(), config(Map.of()), context())) {
            assertEquals("native", runtime.name());
            assertTrue(Files.isDirectory(dataDir.resolve("runtime/native/containers")));
            assertTrue(Files.isDirectory(dataDir.resolve("runtime/native/sandboxes")));
            assertEquals("rwx------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dataDir.resolve("runtime/native/containers"))), "env holds secrets");
        }
    }

    @Test
    void takesTheConfiguredRootDirectory() throws Exception {
        Path root = dataDir.resolve("elsewhere");
        try (NativeRuntime runtime = new NativeRuntime(new TestImagesNone(), config(Map.of("rootDir", root.toString())),
                context())) {
            assertTrue(Files.isDirectory(root.resolve("sandboxes")));
            assertEquals(List.of(), runtime.listContainers());
        }
    }

    @Test
    void removesOldDirectoriesThatACreationKilledMidwayLeft() throws Exception {
        Path root = dataDir.resolve("runtime/native");
        Path old = Files.createDirectories(root.resolve("containers/old/upper"));
        Files.setLastModifiedTime(old.getParent(), FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
        Path young = Files.createDirectories(root.resolve("containers/young"));
        try (NativeRuntime runtime = new NativeRuntime(new TestImagesNone(), config(Map.of()), context())) {
            assertFalse(Files.exists(old.getParent()));
            assertTrue(Files.exists(young), "it may be in the making by another instance");
        }
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> method.getName().equals("getProperty") && "kubundle.data.dir".equals(args[0])
                        ? dataDir.toString() : null);
    }

    /** The configuration with the given values, the rest at their defaults. */
    private static NativeRuntime.Config config(Map<String, String> values) {
        return (NativeRuntime.Config) Proxy.newProxyInstance(NativeRuntime.Config.class.getClassLoader(),
                new Class<?>[] {NativeRuntime.Config.class},
                (proxy, method, args) -> values.getOrDefault(method.getName(), (String) method.getDefaultValue()));
    }

    /** An image service with no images: these tests make no containers. */
    private static final class TestImagesNone implements ImageService {
        @Override
        public ImageInfo pull(String image, List<RegistryCredentials> credentials) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ImageInfo> status(String image) {
            return Optional.empty();
        }

        @Override
        public List<ImageInfo> list() {
            return List.of();
        }

        @Override
        public void remove(String image) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Path> layers(String image) {
            return List.of();
        }
    }
}
