package io.kubundle.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

/**
 * Boots Apache Felix with the bundles of one role and keeps it running.
 *
 * <p>The role's bundles come from {@code etc/roles.properties}; framework properties from
 * {@code etc/framework.properties}, then from the caller. Felix FileInstall, one of the core
 * bundles, loads {@code etc/*.cfg} into Config Admin and watches {@code plugins/} (configured by
 * {@code etc/org.apache.felix.fileinstall-plugins.cfg}), so both are live while the process runs.
 */
public final class Launcher {
    /** Framework property: the distribution directory. */
    public static final String HOME = "kubundle.home";
    /** Framework property: this process's data directory. */
    public static final String DATA_DIR = "kubundle.data.dir";
    /** Framework property: the role this process runs. */
    public static final String ROLE = "kubundle.role";
    /** Framework property: the directory whose jars are installed while the process runs. */
    public static final String PLUGINS_DIR = "kubundle.plugins.dir";
    /** Framework property: the directory whose {@code *.cfg} files feed Config Admin. */
    public static final String ETC_DIR = "kubundle.etc.dir";
    /** System property: when the command was launched (epoch ms), set by bin/kubundle so "ready in" counts JVM boot too. */
    public static final String LAUNCH_MILLIS = "kubundle.launch.millis";
    /** Framework property: how long start-up may take before it is reported as failed. */
    public static final String READY_TIMEOUT = "kubundle.ready.timeout.seconds";

    private static final String HEALTH_FILTER = "(&(" + Constants.OBJECTCLASS + "=" + Supplier.class.getName()
            + ")(kubundle.health=true))";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Framework framework;
    private final DataDirLock lock;
    private final Duration startUp;

    private Launcher(Framework framework, DataDirLock lock, Duration startUp) {
        this.framework = framework;
        this.lock = lock;
        this.startUp = startUp;
    }

    /**
     * Boots Felix with the role's bundles and returns once every bundle is active and every
     * component is satisfied.
     *
     * @throws LaunchException with a one-line message when any of that fails; nothing is left running
     */
    public static Launcher start(LaunchOptions options) throws LaunchException {
        Instant began = processStart();
        Path home = options.home().toAbsolutePath().normalize();
        Path bundlesDir = home.resolve("bundles");
        if (!Files.isDirectory(bundlesDir)) {
            throw new LaunchException(home + " is not a Kubundle distribution: it has no bundles/ directory");
        }
        Map<String, String> properties = frameworkProperties(options, home);
        Path etc = Path.of(properties.get(ETC_DIR));
        List<Path> jars = RoleSets.load(etc.resolve("roles.properties")).jars(options.role(), bundlesDir);

        Path dataDir = options.dataDir().toAbsolutePath().normalize();
        DataDirLock lock = DataDirLock.acquire(dataDir);
        Framework framework = new FrameworkFactory().newFramework(properties);
        try {
            framework.init();
            startBundles(framework.getBundleContext(), jars);
            framework.start();
            Duration timeout = Duration.ofSeconds(Long.parseLong(properties.getOrDefault(READY_TIMEOUT, "60")));
            awaitHealthy(framework.getBundleContext(), timeout);
        } catch (LaunchException | RuntimeException e) {
            stopQuietly(framework);
            lock.release();
            throw e;
        } catch (BundleException e) {
            stopQuietly(framework);
            lock.release();
            throw new LaunchException("the OSGi framework failed to start: " + firstLine(e), e);
        }
        Launcher launcher = new Launcher(framework, lock, Duration.between(began, Instant.now()));
        System.out.println("kubundle " + options.role() + " ready in " + launcher.startUp.toMillis() + " ms: "
                + framework.getBundleContext().getBundles().length + " bundles active, data dir " + dataDir
                + adminAddress(dataDir));
        return launcher;
    }

    /** Time from the launch of the command (or from {@link #start} when embedded) to "ready". */
    public Duration startUpTime() {
        return startUp;
    }

    /** The running framework, for embedding and tests. */
    public Framework framework() {
        return framework;
    }

    /** Blocks until the framework stops, by {@link #stop()} or by a bundle stopping it. */
    public void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
        lock.release();
    }

    /** Stops the framework (every component deactivates and cleans up) and waits up to 30 s. Idempotent. */
    public void stop() {
        stopQuietly(framework);
        lock.release();
    }

    private static Map<String, String> frameworkProperties(LaunchOptions options, Path home) throws LaunchException {
        Path dataDir = options.dataDir().toAbsolutePath().normalize();
        Map<String, String> properties = new HashMap<>();
        properties.put(HOME, home.toString());
        properties.put(DATA_DIR, dataDir.toString());
        properties.put(ROLE, options.role());
        properties.put(PLUGINS_DIR, home.resolve("plugins").toString());
        properties.put(ETC_DIR, home.resolve("etc").toString());
        properties.putAll(options.properties());
        Path defaults = Path.of(properties.get(ETC_DIR)).resolve("framework.properties");
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(defaults)) {
            file.load(reader);
        } catch (IOException e) {
            throw new LaunchException("cannot read " + defaults + ": " + e.getMessage(), e);
        }
        for (String key : file.stringPropertyNames()) {
            // the caller's properties win over the file's defaults
            properties.putIfAbsent(key, substitute(file.getProperty(key), properties));
        }
        properties.put(Constants.FRAMEWORK_STORAGE, dataDir.resolve("felix-cache").toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        return properties;
    }

    /** Replaces {@code ${name}} with a property already known; unknown names stay as they are. */
    static String substitute(String value, Map<String, String> known) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (true) {
            int open = value.indexOf("${", at);
            int close = open < 0 ? -1 : value.indexOf('}', open);
            if (close < 0) {
                return out.append(value, at, value.length()).toString();
            }
            String name = value.substring(open + 2, close);
            out.append(value, at, open).append(known.getOrDefault(name, "${" + name + "}"));
            at = close + 1;
        }
    }

    private static void startBundles(BundleContext context, List<Path> jars) throws LaunchException {
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            try {
                // by reference: Felix reads the jar where it is instead of copying it into its cache
                installed.add(context.installBundle("reference:" + jar.toUri()));
            } catch (BundleException e) {
                throw new LaunchException("cannot install " + jar.getFileName() + ": " + firstLine(e), e);
            }
        }
        for (Bundle bundle : installed) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                bundle.start();
            } catch (BundleException e) {
                throw new LaunchException("cannot start " + bundle.getSymbolicName() + " " + bundle.getVersion() + ": "
                        + firstLine(e), e);
            }
        }
    }

    /** Waits until the admin bundle's health report says every bundle and component is fine. */
    @SuppressWarnings("unchecked")
    private static void awaitHealthy(BundleContext context, Duration timeout) throws LaunchException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> report = null;
        while (System.nanoTime() < deadline) {
            try {
                ServiceReference<?>[] refs = context.getServiceReferences((String) null, HEALTH_FILTER);
                if (refs != null) {
                    Object health = context.getService(refs[0]);
                    if (health != null) {
                        report = ((Supplier<Map<String, Object>>) health).get();
                        context.ungetService(refs[0]);
                        if ("ok".equals(report.get("status"))) {
                            return;
                        }
                    }
                }
                // each report walks every bundle and component: cheap, but not free while start-up competes for the cores
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException("interrupted while starting");
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        if (report == null) {
            throw new LaunchException("not ready after " + timeout.toSeconds() + " s: no health report (is the admin bundle in the role?)");
        }
        throw new LaunchException("not ready after " + timeout.toSeconds() + " s: " + report.get("problems"));
    }

    private static String adminAddress(Path dataDir) {
        try {
            return "; admin endpoint " + Files.readString(dataDir.resolve("admin.url")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** When the command was launched; ProcessHandle's start time is only precise to the second. */
    private static Instant processStart() {
        String launched = System.getProperty(LAUNCH_MILLIS);
        return launched != null && launched.matches("\\d+") ? Instant.ofEpochMilli(Long.parseLong(launched)) : Instant.now();
    }

    private static void stopQuietly(Framework framework) {
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                System.err.println("kubundle: the framework did not stop within " + STOP_TIMEOUT.toSeconds() + " s");
            }
        } catch (BundleException e) {
            System.err.println("kubundle: stopping the framework failed: " + firstLine(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String firstLine(Throwable t) {
        String message = String.valueOf(t.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** One process per data directory: a second one would share the framework cache and the admin files. */
    private static final class DataDirLock {
        private final FileChannel channel;
        private final FileLock lock;

        private DataDirLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static DataDirLock acquire(Path dataDir) throws LaunchException {
            try {
                Files.createDirectories(dataDir);
                FileChannel channel = FileChannel.open(dataDir.resolve("lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null;
                }
                if (lock == null) {
                    channel.close();
                    throw new LaunchException("another Kubundle process is using the data dir " + dataDir);
                }
                return new DataDirLock(channel, lock);
            } catch (IOException e) {
                throw new LaunchException("cannot use the data dir " + dataDir + ": " + e.getMessage(), e);
            }
        }

        synchronized void release() {
            try {
                if (lock.isValid()) {
                    lock.release();
                }
                channel.close();
            } catch (IOException e) {
                // the lock goes with the process anyway
            }
        }
    }
}
