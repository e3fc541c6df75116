package io.kubundle.net.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * The bundle as deployed, in Felix with DS and Config Admin: it registers {@code name=bridge} with
 * its state under {@code <kubundle.data.dir>/network/bridge}, and a copy swapped in for it (the
 * new one starts, then the old one leaves, as {@code kubundle bundles swap} does) adopts the pods
 * the old one wired, which keep serving throughout.
 */
final class BridgeBundleTest {
    @TempDir
    Path dataDir;
    private Framework framework;
    private BundleContext context;
    private TestHost host;

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for namespaces, links and iptables");
        host = new TestHost();
        Map<String, String> properties = new HashMap<>();
        properties.put("org.osgi.framework.storage", storage.toString());
        properties.put("org.osgi.framework.storage.clean", "onFirstInit");
        properties.put("felix.log.level", "1");
        properties.put("org.osgi.framework.bsnversion", "multiple");
        properties.put(BridgeNetwork.DATA_DIR_PROPERTY, dataDir.toString());
        // the test calls the plugin through the class path's API, so the framework exports it
        properties.put("org.osgi.framework.system.packages.extra", "io.kubundle.api.network;version=1.0.0");
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.start();
        context = framework.getBundleContext();
        for (String bundleOf : List.of("org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
                "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.impl.Activator",
                "org.apache.felix.cm.impl.Activator")) {
            install(bundleOf).start();
        }
        configure(Map.of("bridge", host.bridge));
    }

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
        if (host != null) {
            host.close();
        }
    }

    @Test
    void aSwappedInCopyAdoptsThePodsOfTheOldOne() throws Exception {
        Bundle old = install(BridgeNetwork.class.getName());
        assertEquals("io.kubundle.net.bridge", old.getSymbolicName());
        old.start();
        PodNetwork first = networkOf(old);
        assertEquals("bridge", first.name());
        String cidr = host.freeCidr(24);
        first.configure(new NodeNetwork("node-1", cidr, TestHost.CLUSTER_CIDR));
        PodRef pod = host.pod();
        Attachment attachment = first.add(pod);
        String ip = attachment.ips().get(0);
        assertTrue(Files.exists(dataDir.resolve("network/bridge/ips").resolve(ip)));
        host.serve(pod, ip, "served across the swap");

        Path classes = Path.of(BridgeNetwork.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Bundle fresh = context.installBundle("reference:" + classes.resolve(".").toUri());
        fresh.start();
        PodNetwork second = networkOf(fresh);
        old.uninstall();

        assertEquals("served across the swap", host.fetch(null, ip));
        second.check(pod);
        assertEquals(attachment, second.add(pod));
        PodRef another = host.pod();
        second.add(another);
        assertTrue(host.ping(another, ip));
        assertEquals("served across the swap", host.fetch(another, ip));
        second.delete(pod);
        second.delete(another);
        try (var left = Files.list(dataDir.resolve("network/bridge/ips"))) {
            assertEquals(0, left.count());
        }
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
                    .getMethod("getConfiguration", String.class, String.class).invoke(admin, BridgeNetwork.PID, "?");
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
                    if (host.bridge.equals(service.getProperty("bridge"))
                            && "bridge".equals(service.getProperty(PodNetwork.NAME_PROPERTY))) {
                        return (PodNetwork) context.getService(service);
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError(bundle + " registered no bridge network on " + host.bridge);
    }

    /** Installs the bundle that the class path has {@code className} from: a jar, or target/classes. */
    private Bundle install(String className) throws Exception {
        Path location = Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
        return context.installBundle((Files.isDirectory(location) ? "reference:" : "") + location.toUri());
    }
}
