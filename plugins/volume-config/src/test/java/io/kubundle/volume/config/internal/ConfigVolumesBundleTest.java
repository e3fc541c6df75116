package io.kubundle.volume.config.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

import io.kubundle.api.volume.ObjectReader;
import io.kubundle.api.volume.VolumePlugin;
import io.kubundle.api.volume.VolumeRequest;

/**
 * The bundle as deployed, in Felix with DS: it registers its four types, and a copy swapped in for
 * it (the new one starts, then the old one leaves, as {@code kubundle bundles swap} does) keeps
 * the volumes the old one made (files and the secret's tmpfs stay) and brings them up to date.
 */
final class ConfigVolumesBundleTest {
    @TempDir
    Path temp;
    private Framework framework;
    private BundleContext context;

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for tmpfs mounts");
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(Map.of(
                "org.osgi.framework.storage", storage.toString(),
                "org.osgi.framework.storage.clean", "onFirstInit",
                "felix.log.level", "1",
                "org.osgi.framework.bsnversion", "multiple",
                // the test calls the plugin through the class path's API, so the framework exports it
                "org.osgi.framework.system.packages.extra", "io.kubundle.api.volume;version=1.0.0"));
        framework.start();
        context = framework.getBundleContext();
        for (String bundleOf : List.of("org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
                "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.impl.Activator")) {
            install(bundleOf).start();
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
            Mounts.unmountAndDelete(temp.resolve("pod"));
        }
    }

    @Test
    void aSwappedInCopyKeepsTheVolumesAndUpdatesThem() throws Exception {
        Map<String, Map<String, Object>> objects = new ConcurrentHashMap<>();
        ObjectReader reader = ConfigVolumesTest.reader(objects);
        objects.put("ConfigMap/settings", Map.of("data", Map.of("mode", "first")));
        objects.put("Secret/creds", Map.of("stringData", Map.of("password", "s3cr3t")));
        VolumeRequest config = ConfigVolumesTest.request(temp.resolve("pod"), "configMap", Map.of("name", "settings"), reader);
        VolumeRequest secret = ConfigVolumesTest.request(temp.resolve("pod"), "secret", Map.of("secretName", "creds"), reader);

        Bundle old = install(ConfigVolumes.class.getName());
        assertEquals("io.kubundle.volume.config", old.getSymbolicName());
        old.start();
        VolumePlugin first = pluginOf(old);
        Path configDir = first.setUp(config);
        Path secretDir = first.setUp(secret);
        assertEquals("first", Files.readString(configDir.resolve("mode")));

        Path classes = Path.of(ConfigVolumes.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Bundle fresh = context.installBundle("reference:" + classes.resolve(".").toUri());
        fresh.start();
        VolumePlugin second = pluginOf(fresh);
        old.uninstall();

        assertEquals("first", Files.readString(configDir.resolve("mode")), "the old instance leaving removes nothing");
        assertEquals("s3cr3t", Files.readString(secretDir.resolve("password")));
        assertTrue(Mounts.mountsUnder(temp).contains(secretDir), "the secret's tmpfs stays mounted");
        objects.put("ConfigMap/settings", Map.of("data", Map.of("mode", "second")));
        assertEquals(configDir, second.setUp(config));
        second.setUp(secret);
        assertEquals("second", Files.readString(configDir.resolve("mode")), "the new instance updates the old one's volume");
        assertEquals(1, Mounts.mountsUnder(temp).size(), "and adopts the secret's tmpfs");
        second.tearDown(secret.volume());
        second.tearDown(config.volume());
        assertEquals(List.of(), Mounts.mountsUnder(temp));
        assertFalse(Files.exists(configDir));
    }

    /** The plugin {@code bundle} registered, once DS has it. */
    private VolumePlugin pluginOf(Bundle bundle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ServiceReference<?>[] services = bundle.getRegisteredServices();
            if (services != null) {
                for (ServiceReference<?> service : services) {
                    Object types = service.getProperty(VolumePlugin.TYPES_PROPERTY);
                    if (types instanceof String[] names && Arrays.asList(names).containsAll(List.of("configMap", "secret",
                            "downwardAPI", "projected"))) {
                        return (VolumePlugin) context.getService(service);
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(bundle + " registered no volume plugin for configMap, secret, downwardAPI, projected");
    }

    /** Installs the bundle that the class path has {@code className} from: a jar, or target/classes. */
    private Bundle install(String className) throws Exception {
        Path location = Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
        return context.installBundle((Files.isDirectory(location) ? "reference:" : "") + location.toUri());
    }
}
