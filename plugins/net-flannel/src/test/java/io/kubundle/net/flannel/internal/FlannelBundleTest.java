package io.kubundle.net.flannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
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

/**
 * The bundle as deployed, in Felix with DS and Config Admin and a cluster transport that only
 * records what it is asked: without {@code io.kubundle.net.flannel} configuration the component
 * asks the API nothing (and is active, so health stays ok); configured, it starts watching Nodes;
 * with the configuration deleted it stops. (No server answers, so nothing reaches the host's network.)
 */
final class FlannelBundleTest {
    /** {@code ComponentConfigurationDTO.ACTIVE}. */
    private static final int ACTIVE = 8;
    private Framework framework;
    private BundleContext context;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        Map<String, String> properties = new HashMap<>();
        properties.put("org.osgi.framework.storage", storage.toString());
        properties.put("org.osgi.framework.storage.clean", "onFirstInit");
        properties.put("felix.log.level", "1");
        properties.put(FlannelComponent.NODE_NAME_PROPERTY, "node-under-test");
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.start();
        context = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (String bundleOf : List.of("org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
                "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.impl.Activator",
                "org.apache.felix.cm.impl.Activator", "com.fasterxml.jackson.annotation.JsonProperty",
                "com.fasterxml.jackson.core.JsonParser", "com.fasterxml.jackson.databind.ObjectMapper",
                "com.fasterxml.jackson.datatype.jsr310.JavaTimeModule", "org.yaml.snakeyaml.Yaml",
                "io.kubundle.api.transport.ApiTransport", "io.kubundle.client.kube.KubeClient",
                "io.kubundle.controller.support.Kinds", FlannelComponent.class.getName())) {
            // a jar, or (this module) target/classes
            URI location = Class.forName(bundleOf).getProtectionDomain().getCodeSource().getLocation().toURI();
            bundles.add(context.installBundle((location.getPath().endsWith("/") ? "reference:" : "") + location));
        }
        Bundle flannel = bundles.remove(bundles.size() - 1);
        for (Bundle bundle : bundles) {
            bundle.start();
        }
        // before the plugin starts, so that it can only ever bind this one
        registerTransport(bundles.get(bundles.size() - 3));
        flannel.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(10_000);
        }
    }

    @Test
    void theOverlayRunsOnlyWhileItIsConfigured() throws Exception {
        Thread.sleep(1_000);
        assertEquals(List.of(), calls, "without configuration the component does nothing");
        assertEquals(List.of(ACTIVE), componentStates(), "and is active, so the process's health is ok");

        Object configuration = configure(Map.of("resyncSeconds", "5"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.stream().noneMatch(call -> call.startsWith("GET /api/v1/nodes"))) {
            assertTrue(System.nanoTime() < deadline, "configured, it lists the Nodes: " + calls);
            Thread.sleep(50);
        }

        assertEquals(List.of(ACTIVE), componentStates());

        configuration.getClass().getMethod("delete").invoke(configuration);
        Thread.sleep(1_000);
        int after = calls.size();
        Thread.sleep(1_500);
        assertEquals(after, calls.size(), "with the configuration deleted it stops: " + calls.subList(after, calls.size()));
        assertEquals(List.of(ACTIVE), componentStates());
    }

    /**
     * A {@code kubundle.transport=cluster} transport, of the framework's API bundle's interface, that
     * records each call and fails it.
     */
    private void registerTransport(Bundle api) throws Exception {
        Class<?> transport = api.loadClass("io.kubundle.api.transport.ApiTransport");
        InvocationHandler handler = (proxy, method, arguments) -> {
            switch (method.getName()) {
                case "send", "stream" -> {
                    Object call = arguments[0];
                    Class<?> type = call.getClass();
                    calls.add(type.getMethod("method").invoke(call) + " " + type.getMethod("uri").invoke(call));
                    throw new IOException("no API server in this test");
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == arguments[0];
                }
                default -> {
                    return "recording transport";
                }
            }
        };
        Object service = Proxy.newProxyInstance(transport.getClassLoader(), new Class<?>[] {transport}, handler);
        // ranked above the client bundle's own cluster transport, which has no server to go to here
        Dictionary<String, Object> properties = new Hashtable<>(Map.of("kubundle.transport", "cluster",
                "service.ranking", Integer.MAX_VALUE));
        api.getBundleContext().registerService(transport.getName(), service, properties);
    }

    /** The states of the plugin's component configurations, as SCR's runtime service reports them (by reflection). */
    private List<Integer> componentStates() throws Exception {
        ServiceReference<?>[] runtimes = context.getAllServiceReferences(
                "org.osgi.service.component.runtime.ServiceComponentRuntime", null);
        assertNotNull(runtimes, "SCR is up");
        Object scr = context.getService(runtimes[0]);
        Bundle flannel = Arrays.stream(context.getBundles()).filter(b -> "io.kubundle.net.flannel".equals(b.getSymbolicName()))
                .findFirst().orElseThrow();
        Method descriptions = scr.getClass().getMethod("getComponentDescriptionDTOs", Bundle[].class);
        List<Integer> states = new ArrayList<>();
        for (Object description : (Collection<?>) descriptions.invoke(scr, (Object) new Bundle[] {flannel})) {
            Method configurations = scr.getClass().getMethod("getComponentConfigurationDTOs", description.getClass());
            for (Object configuration : (Collection<?>) configurations.invoke(scr, description)) {
                states.add(configuration.getClass().getField("state").getInt(configuration));
            }
        }
        return states;
    }

    /**
     * Sets the plugin's configuration through Config Admin, called by reflection: its API is in the
     * Config Admin bundle's class space, not the test's. Returns the Configuration.
     */
    private Object configure(Map<String, String> values) throws Exception {
        ServiceReference<?>[] admins = context.getAllServiceReferences("org.osgi.service.cm.ConfigurationAdmin", null);
        assertNotNull(admins, "Config Admin is up");
        Object admin = context.getService(admins[0]);
        Class<?> api = admins[0].getBundle().loadClass("org.osgi.service.cm.ConfigurationAdmin");
        Object configuration = api.getMethod("getConfiguration", String.class, String.class)
                .invoke(admin, FlannelComponent.PID, "?");
        configuration.getClass().getMethod("update", Dictionary.class).invoke(configuration, new Hashtable<>(values));
        return configuration;
    }
}
