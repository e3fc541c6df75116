package io.kubundle.store.embedded.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
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

import io.kubundle.api.store.Store;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchEvent;
import io.kubundle.api.store.WatchListener;

/**
 * The bundle as deployed: in Felix with SCR beside the sqlite-jdbc bundle, it registers the store
 * under {@code name=embedded} in {@code <kubundle.data.dir>/store}, and stopping it closes the
 * watches and leaves no thread behind.
 */
final class EmbeddedStoreBundleTest {
    @TempDir
    Path dataDir;
    private Framework framework;
    private BundleContext context;

    @BeforeEach
    void start(@TempDir Path storage) throws Exception {
        Map<String, String> properties = new HashMap<>();
        properties.put("org.osgi.framework.storage", storage.toString());
        properties.put("org.osgi.framework.storage.clean", "onFirstInit");
        properties.put("felix.log.level", "1");
        // a side-by-side swap has two copies of the bundle installed at once
        properties.put("org.osgi.framework.bsnversion", "multiple");
        properties.put(EmbeddedStoreComponent.DATA_DIR_PROPERTY, dataDir.toString());
        // the test talks to the store through the class path's API, so the framework exports it
        properties.put("org.osgi.framework.system.packages.extra", "io.kubundle.api.store;version=1.0.0");
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.start();
        context = framework.getBundleContext();
        for (String bundleOf : List.of("org.osgi.util.function.Function", "org.osgi.util.promise.Promise",
                "org.osgi.service.component.ComponentContext", "org.apache.felix.scr.impl.Activator")) {
            install(bundleOf).start();
        }
        install("org.sqlite.JDBC").start();
    }

    @AfterEach
    void stop() throws Exception {
        framework.stop();
        framework.waitForStop(10_000);
    }

    @Test
    void registersTheStoreAndReleasesEverythingWhenStopped() throws Exception {
        Bundle bundle = install(SqliteStore.class.getName());
        assertEquals("io.kubundle.store.embedded", bundle.getSymbolicName());
        bundle.start();
        Store store = awaitStore();
        store.create("/registry/a", "one".getBytes(UTF_8));
        assertTrue(Files.exists(dataDir.resolve("store").resolve(SqliteStore.DATABASE)));
        assertTrue(storeThreads() > 0);

        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        CompletableFuture<List<WatchEvent>> events = new CompletableFuture<>();
        Watch watch = store.watch("/registry/", 0, new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> delivered) {
                events.complete(delivered);
            }

            @Override
            public void onClose(Throwable cause) {
                closed.complete(cause);
            }
        });
        assertEquals("/registry/a", events.get(10, TimeUnit.SECONDS).get(0).current().key());

        bundle.stop();
        assertNotNull(closed.get(10, TimeUnit.SECONDS), "stopping the store closes its watches with a cause");
        watch.close();
        assertEquals(0, storeThreads(), "threads left behind");

        bundle.start();
        Store again = awaitStore();
        assertEquals("one", new String(again.get("/registry/a").orElseThrow().value(), UTF_8));
        bundle.uninstall();
        assertEquals(0, storeThreads(), "threads left behind");
    }

    @Test
    void aSwappedInCopyTakesTheDatabaseOverWhenTheOldOneLeaves() throws Exception {
        Bundle old = install(SqliteStore.class.getName());
        old.start();
        awaitStore().create("/registry/a", "one".getBytes(UTF_8));

        // the new version starts while the old one still holds the database, as `bundles swap` does it
        Path classes = Path.of(SqliteStore.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Bundle fresh = context.installBundle("reference:" + classes.resolve(".").toUri());
        fresh.start();
        Store next = storeOf(fresh);
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(next.get("/registry/a").orElseThrow().value(), UTF_8);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertTrue(!waiting.isDone(), "the new copy waits while the old one holds the database");

        old.uninstall();
        assertEquals("one", waiting.get(10, TimeUnit.SECONDS), "the new copy serves what the old one wrote");
        next.create("/registry/b", "two".getBytes(UTF_8));
        assertEquals(2, next.list("/registry/", null, 0, 0).items().size());

        fresh.uninstall();
        assertEquals(0, storeThreads(), "threads left behind");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("store-embedded-handover")));
    }

    private Store storeOf(Bundle bundle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ServiceReference<?>[] services = bundle.getRegisteredServices();
            if (services != null) {
                for (ServiceReference<?> service : services) {
                    if (context.getService(service) instanceof Store store) {
                        return store;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the bundle registered no store");
    }

    private Store awaitStore() throws Exception {
        ServiceTracker<Store, Store> tracker = new ServiceTracker<>(context,
                context.createFilter("(&(objectClass=" + Store.class.getName() + ")(name=embedded))"), null);
        tracker.open();
        try {
            Store store = tracker.waitForService(10_000);
            assertNotNull(store, "no store service");
            return store;
        } finally {
            tracker.close();
        }
    }

    /** Installs the bundle that the class path has {@code className} from: a jar, or target/classes. */
    private Bundle install(String className) throws Exception {
        Path location = Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
        return context.installBundle((Files.isDirectory(location) ? "reference:" : "") + location.toUri());
    }

    private static long storeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("kubundle-store-") && thread.isAlive())
                .count();
    }
}
