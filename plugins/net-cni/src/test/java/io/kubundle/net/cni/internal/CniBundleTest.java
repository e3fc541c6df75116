package io.kubundle.net.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
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
import org.osgi.util.tracker.ServiceTracker;

import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NodeNetwork;
import io.kubundle.api.network.PodNetwork;
import io.kubundle.api.network.PodRef;

/**
 * The bundle as deployed, in Felix with DS, Config Admin and Jackson, running the fake plugins: it
 * registers {@code name=cni} with its cache under {@code <kubundle.data.dir>/network/cni}, and a
 * copy swapped in for it (the new one starts, then the old one leaves) deletes the pod the old one
 * added, with the configuration the old one used.
 */
final class CniBundleTest {
    @TempDir
    Path dataDir;
    private FakePlugins fake;
    private Framework framework;
    private BundleContext context;

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        fake = new FakePlugins();
        fake.plugin("first", "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.7.0.5/24\",\"gateway\":\"10.7.0.1\"}]}");
        fake.conflist("10-a.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"plugins\":[{\"type\":\"first\",\"subnet\":\"{{podCIDR}}\"}]}");
        Map<String, String> properties = new HashMap<>();
        properties.put("org.osgi.framework.storage", storage.toString());
        properties.put("org.osgi.framework.storage.clean", "onFirstInit");
        properties.put("felix.log.level", "1");
        properties.put("org.osgi.framework.bsnversion", "multiple");
        properties.put(CniNetwork.DATA_DIR_PROPERTY, dataDir.toString());
        // the test calls the plugin through the class path's API, so the framework exports it
        properties.put("org.osgi.framework.system.packages.extra", "io.kubundle.api.network;version=1.0.0");
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.start();
        context = framework.getBundleContext();
        for (String bundleOf : List.of("org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
                "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.impl.Activator",
                "org.apache.felix.cm.impl.Activator", "com.fasterxml.jackson.annotation.JsonProperty",
                "com.fasterxml.jackson.core.JsonFactory", "com.fasterxml.jackson.databind.ObjectMapper")) {
            install(bundleOf).start();
        }
        configure(Map.of("confDir", fake.conf.toString(), "binDirs", fake.bin.toString()));
    }

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void aSwappedInCopyDeletesThePodOfTheOldOneWithItsConfiguration() throws Exception {
        Bundle old = install(CniNetwork.class.getName());
        assertEquals("io.kubundle.net.cni", old.getSymbolicName());
        old.start();
        PodNetwork first = networkOf(old);
        assertEquals("cni", first.name());
        first.configure(new NodeNetwork("node-1", "10.7.0.0/24", null));
        PodRef pod = new PodRef("uid-1", "default", "web", fake.netns.toString(), "eth0");
        Attachment attachment = first.add(pod);
        assertEquals(List.of("10.7.0.5"), attachment.ips());
        assertTrue(Files.exists(dataDir.resolve("network/cni/results/uid-1-eth0.json")));
        assertEquals("10.7.0.0/24", fake.calls().get(0).stdin().path("subnet").asText());

        Path classes = Path.of(CniNetwork.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Bundle fresh = context.installBundle("reference:" + classes.resolve(".").toUri());
        fresh.start();
        PodNetwork second = networkOf(fresh);
        old.uninstall();
        Files.delete(fake.conf.resolve("10-a.conflist"));

        second.check(pod);
        assertEquals(attachment, second.add(pod));
        fake.calls();
        second.delete(pod);
        List<FakePlugins.Call> calls = fake.calls();
        assertEquals(1, calls.size());
        assertEquals("DEL", calls.get(0).command());
        assertEquals("10.7.0.0/24", calls.get(0).stdin().path("subnet").asText(), "the configuration ADD had");
        assertFalse(Files.exists(dataDir.resolve("network/cni/results/uid-1-eth0.json")));
    }

    /** Sets the plugin's configuration through Config Admin, whose API lives in its own bundle's class space. */
    private void configure(Map<String, String> values) throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context,
                context.createFilter("(objectClass=org.osgi.service.cm.ConfigurationAdmin)"), null);
        // all services: the class path has a copy of the Config Admin API that the framework does not wire to
        tracker.open(true);
        try {
            Object admin = tracker.waitForService(10_000);
            assertNotNull(admin, "Config Admin is up");
            ClassLoader api = admin.getClass().getClassLoader();
            Object configuration = api.loadClass("org.osgi.service.cm.ConfigurationAdmin")
                    .getMethod("getConfiguration", String.class, String.class).invoke(admin, CniNetwork.PID, "?");
            Dictionary<String, Object> properties = new Hashtable<>(values);
            api.loadClass("org.osgi.service.cm.Configuration").getMethod("update", Dictionary.class)
                    .invoke(configuration, properties);
        } finally {
            tracker.close();
        }
    }

    /** The plugin {@code bundle} registered, once DS has it with the configuration. */
    private PodNetwork networkOf(Bundle bundle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ServiceReference<?>[] services = bundle.getRegisteredServices();
            if (services != null) {
                for (ServiceReference<?> service : services) {
                    if (fake.conf.toString().equals(service.getProperty("confDir"))
                            && "cni".equals(service.getProperty(PodNetwork.NAME_PROPERTY))) {
                        return (PodNetwork) context.getService(service);
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(bundle + " registered no CNI network for " + fake.conf);
    }

    /** Installs the bundle that the class path has {@code className} from: a jar, or target/classes. */
    private Bundle install(String className) throws Exception {
        Path location = Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
        return context.installBundle((Files.isDirectory(location) ? "reference:" : "") + location.toUri());
    }
}
