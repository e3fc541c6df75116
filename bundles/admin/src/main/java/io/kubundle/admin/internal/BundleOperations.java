package io.kubundle.admin.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.osgi.framework.AllServiceListener;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * Install, update, uninstall and swap bundles. Every failure is an {@link AdminException} carrying
 * the HTTP status, and a failed change leaves the framework as it found it wherever the OSGi API
 * allows.
 */
final class BundleOperations {
    static final String LOCATION_PREFIX = "kubundle-admin:";
    private static final String MANIFEST = "META-INF/MANIFEST.MF";

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    /** Limit for a package refresh and for the components of a swapped-in bundle to come up. */
    private final Duration timeout;
    /** One change at a time: concurrent installs of the same jar must not both pass the duplicate check. */
    private final Object changes = new Object();

    BundleOperations(BundleContext context, ServiceComponentRuntime scr, Duration timeout) {
        this.context = context;
        this.scr = scr;
        this.timeout = timeout;
    }

    List<Object> list() {
        List<Object> bundles = new ArrayList<>();
        for (Bundle bundle : sortedBundles()) {
            try {
                bundles.add(describe(bundle));
            } catch (IllegalStateException e) {
                // uninstalled while we looked (FileInstall or another request): it is no longer in the list
            }
        }
        return bundles;
    }

    Map<String, Object> describe(Bundle bundle) {
        return BundleJson.describe(bundle, scr);
    }

    Bundle find(String name) throws AdminException {
        return BundleNames.resolve(name, context.getBundles());
    }

    Map<String, Object> install(byte[] jar) throws AdminException {
        JarInfo info = JarInfo.read(jar);
        synchronized (changes) {
            rejectInstalled(info);
            return describe(installAndStart(info, jar));
        }
    }

    Map<String, Object> update(String name, byte[] jar) throws AdminException {
        synchronized (changes) {
            Bundle bundle = find(name);
            rejectSpecial(bundle, "the system bundle cannot be updated", "the admin bundle cannot update itself");
            JarInfo info = JarInfo.read(jar);
            if (!info.symbolicName().equals(bundle.getSymbolicName())) {
                throw new AdminException(400, "jar is " + info.symbolicName() + ", not " + bundle.getSymbolicName());
            }
            Bundle other = BundleNames.installed(info.symbolicName(), info.version(), context.getBundles());
            if (other != null && other.getBundleId() != bundle.getBundleId()) {
                throw alreadyInstalled(info, other);
            }
            boolean wasActive = bundle.getState() == Bundle.ACTIVE;
            // the OSGi API keeps no copy of the old jar, so take one in case the new one cannot start
            byte[] previous = wasActive ? contentOf(bundle) : null;
            AtomicReference<String> startError = new AtomicReference<>();
            FrameworkListener errors = event -> {
                if (event.getType() == FrameworkEvent.ERROR && event.getBundle() == bundle
                        && event.getThrowable() != null) {
                    startError.set(AdminException.firstLine(event.getThrowable().getMessage()));
                }
            };
            context.addFrameworkListener(errors);
            try {
                BundleRevision revision = bundle.adapt(BundleRevision.class);
                String updateError = null;
                try {
                    bundle.update(new ByteArrayInputStream(jar));
                } catch (BundleException | RuntimeException e) {
                    updateError = AdminException.firstLine(e.getMessage());
                }
                // Felix reports a failed restart by throwing after the new content is in place, the spec by an event
                if (bundle.adapt(BundleRevision.class) == revision) {
                    throw new AdminException(422, label(info) + " cannot be updated: " + updateError);
                }
                refresh(List.of(bundle));
                if (wasActive && bundle.getState() != Bundle.ACTIVE) {
                    String why = startError.get() != null ? startError.get() : updateError != null ? updateError
                            : "it is " + BundleJson.stateName(bundle.getState()) + " after the update";
                    restore(bundle, previous);
                    throw new AdminException(422, label(info) + " cannot start: " + why);
                }
            } finally {
                context.removeFrameworkListener(errors);
            }
            return describe(bundle);
        }
    }

    Map<String, Object> uninstall(String name) throws AdminException {
        synchronized (changes) {
            Bundle bundle = find(name);
            rejectSpecial(bundle, "the system bundle cannot be uninstalled",
                    "the admin bundle cannot uninstall itself");
            Map<String, Object> before = describe(bundle);
            try {
                bundle.uninstall();
            } catch (BundleException | RuntimeException e) {
                throw new AdminException(422, label(bundle) + " cannot be uninstalled: "
                        + AdminException.firstLine(e.getMessage()));
            }
            refresh(List.of(bundle));
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("uninstalled", before);
            return result;
        }
    }

    Map<String, Object> swap(String oldName, byte[] jar) throws AdminException {
        synchronized (changes) {
            Bundle old = find(oldName);
            rejectSpecial(old, "the system bundle cannot be swapped out", "the admin bundle cannot swap itself out");
            JarInfo info = JarInfo.read(jar);
            rejectInstalled(info);
            Set<String> interfaces = interfacesOf(old);
            long start = System.nanoTime();
            GapTracker gaps = new GapTracker(interfaces, start);
            AllServiceListener listener = event -> track(gaps, event, System.nanoTime());
            if (!interfaces.isEmpty()) {
                startTracking(gaps, interfaces, listener, start);
            }
            try {
                Bundle fresh = installAndStart(info, jar);
                awaitComponents(fresh, info);
                Map<String, Object> removed = describe(old);
                try {
                    old.uninstall();
                } catch (BundleException | RuntimeException e) {
                    removeQuietly(fresh);
                    throw new AdminException(422, label(old) + " cannot be uninstalled: "
                            + AdminException.firstLine(e.getMessage()));
                }
                refresh(List.of(old));
                Map<String, Double> perInterface = gaps.finish(System.nanoTime());
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("installed", describe(fresh));
                result.put("removed", removed);
                result.put("gapMillis",
                        perInterface.values().stream().mapToDouble(Double::doubleValue).max().orElse(0.0));
                result.put("interfaces", perInterface);
                return result;
            } finally {
                if (!interfaces.isEmpty()) {
                    context.removeServiceListener(listener);
                }
            }
        }
    }

    private List<Bundle> sortedBundles() {
        List<Bundle> bundles = new ArrayList<>(List.of(context.getBundles()));
        bundles.sort(Comparator.comparingLong(Bundle::getBundleId));
        return bundles;
    }

    private void rejectSpecial(Bundle bundle, String systemMessage, String selfMessage) throws AdminException {
        if (bundle.getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
            throw new AdminException(409, systemMessage);
        }
        // the admin bundle would stop its own HTTP server in the middle of the request
        if (bundle.getBundleId() == context.getBundle().getBundleId()) {
            throw new AdminException(409, selfMessage);
        }
    }

    private void rejectInstalled(JarInfo info) throws AdminException {
        Bundle existing = BundleNames.installed(info.symbolicName(), info.version(), context.getBundles());
        if (existing != null) {
            throw alreadyInstalled(info, existing);
        }
    }

    private static AdminException alreadyInstalled(JarInfo info, Bundle existing) {
        return new AdminException(409, label(info) + " is already installed (bundle " + existing.getBundleId() + ")");
    }

    private Bundle installAndStart(JarInfo info, byte[] jar) throws AdminException {
        Bundle bundle;
        try {
            bundle = context.installBundle(freeLocation(info), new ByteArrayInputStream(jar));
        } catch (BundleException e) {
            throw installFailure(info, e);
        }
        if (info.fragment()) {
            return bundle;
        }
        try {
            bundle.start();
        } catch (BundleException | RuntimeException e) {
            removeQuietly(bundle);
            throw new AdminException(422, label(info) + " cannot start: " + AdminException.firstLine(e.getMessage()));
        }
        return bundle;
    }

    /**
     * installBundle hands back the bundle already at a location instead of installing, and an update
     * keeps the location of the version first installed there, so step past taken locations.
     */
    private String freeLocation(JarInfo info) {
        String location = LOCATION_PREFIX + info.symbolicName() + "/" + info.version();
        String candidate = location;
        for (int n = 2; context.getBundle(candidate) != null; n++) {
            candidate = location + "~" + n;
        }
        return candidate;
    }

    private AdminException installFailure(JarInfo info, BundleException e) {
        String why = AdminException.firstLine(e.getMessage());
        switch (e.getType()) {
            case BundleException.DUPLICATE_BUNDLE_ERROR:
                return new AdminException(409, label(info) + " is already installed: " + why);
            case BundleException.MANIFEST_ERROR:
                return JarInfo.notABundle(why);
            default:
                return new AdminException(422, label(info) + " cannot be installed: " + why);
        }
    }

    /** Rolls back a bundle this request installed; the original failure is what the client must see. */
    private void removeQuietly(Bundle bundle) {
        try {
            bundle.uninstall();
            refresh(List.of(bundle));
        } catch (BundleException | AdminException | RuntimeException e) {
            // nothing more to undo; the error being reported already says what went wrong
        }
    }

    /** Puts the old content back and starts it again after an update whose new version could not start. */
    private void restore(Bundle bundle, byte[] previous) {
        try {
            bundle.update(new ByteArrayInputStream(previous));
            refresh(List.of(bundle));
            bundle.start();
        } catch (BundleException | AdminException | RuntimeException e) {
            // the new version stays installed but stopped; the 422 reported tells why
        }
    }

    /** Refreshes the bundles (and whatever depends on them) and waits for the framework to finish. */
    private void refresh(Collection<Bundle> bundles) throws AdminException {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkWiring.class);
        CountDownLatch done = new CountDownLatch(1);
        wiring.refreshBundles(bundles, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        try {
            if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AdminException(500, "the framework did not finish refreshing bundles within "
                        + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(503, "the admin endpoint is shutting down");
        }
    }

    /** Waits until every enabled component of the new bundle is ACTIVE or SATISFIED, or rolls it back. */
    private void awaitComponents(Bundle bundle, JarInfo info) throws AdminException {
        boolean declaresComponents = bundle.getHeaders("").get("Service-Component") != null;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String problem = componentProblem(bundle, declaresComponents);
            if (problem == null) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                removeQuietly(bundle);
                throw new AdminException(422, label(info) + " is not ready after " + timeout.toSeconds() + " s: "
                        + problem);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                removeQuietly(bundle);
                throw new AdminException(503, "the admin endpoint is shutting down");
            }
        }
    }

    private String componentProblem(Bundle bundle, boolean declaresComponents) {
        List<ComponentStates.Entry> components = ComponentStates.of(scr, bundle);
        // SCR loads descriptions when the bundle starts; none yet means they are not there at all
        if (declaresComponents && components.isEmpty()) {
            return "Declarative Services has not loaded its components";
        }
        for (ComponentStates.Entry component : components) {
            if (!component.ready()) {
                return "component " + component.name() + " is " + component.state() + ": " + component.problem();
            }
        }
        return null;
    }

    private static Set<String> interfacesOf(Bundle bundle) {
        Set<String> interfaces = new TreeSet<>();
        ServiceReference<?>[] services = bundle.getRegisteredServices();
        if (services != null) {
            for (ServiceReference<?> service : services) {
                interfaces.addAll(List.of((String[]) service.getProperty(Constants.OBJECTCLASS)));
            }
        }
        return interfaces;
    }

    /** Listens first and then records what is already registered, so no registration falls in between. */
    private void startTracking(GapTracker gaps, Set<String> interfaces, AllServiceListener listener, long start)
            throws AdminException {
        String filter = interfaces.stream().map(name -> "(" + Constants.OBJECTCLASS + "=" + escape(name) + ")")
                .collect(Collectors.joining("", "(|", ")"));
        try {
            context.addServiceListener(listener, filter);
            for (String name : interfaces) {
                ServiceReference<?>[] existing = context.getAllServiceReferences(name, null);
                if (existing != null) {
                    for (ServiceReference<?> reference : existing) {
                        gaps.registered(name, BundleJson.serviceId(reference), start);
                    }
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new AdminException(500, "cannot watch the services of the old bundle: " + e.getMessage());
        }
    }

    private static void track(GapTracker gaps, ServiceEvent event, long nanos) {
        ServiceReference<?> reference = event.getServiceReference();
        long id = BundleJson.serviceId(reference);
        for (String name : (String[]) reference.getProperty(Constants.OBJECTCLASS)) {
            if (event.getType() == ServiceEvent.REGISTERED) {
                gaps.registered(name, id, nanos);
            } else if (event.getType() == ServiceEvent.UNREGISTERING) {
                gaps.unregistered(name, id, nanos);
            }
        }
    }

    private static String escape(String value) {
        return value.replaceAll("([\\\\*()])", "\\\\$1");
    }

    /** The bundle's own entries (not those of attached fragments) as a jar, manifest first. */
    private static byte[] contentOf(Bundle bundle) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            copyEntry(bundle, MANIFEST, zip);
            copyEntries(bundle, "/", zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void copyEntries(Bundle bundle, String directory, ZipOutputStream zip) throws IOException {
        Enumeration<String> paths = bundle.getEntryPaths(directory);
        while (paths != null && paths.hasMoreElements()) {
            String path = paths.nextElement();
            if (path.endsWith("/")) {
                copyEntries(bundle, path, zip);
            } else if (!path.equals(MANIFEST)) {
                copyEntry(bundle, path, zip);
            }
        }
    }

    private static void copyEntry(Bundle bundle, String path, ZipOutputStream zip) throws IOException {
        URL entry = bundle.getEntry(path);
        if (entry == null) {
            return;
        }
        zip.putNextEntry(new ZipEntry(path));
        try (InputStream in = entry.openStream()) {
            in.transferTo(zip);
        }
        zip.closeEntry();
    }

    private static String label(JarInfo info) {
        return info.symbolicName() + " " + info.version();
    }

    private static String label(Bundle bundle) {
        return bundle.getSymbolicName() + " " + bundle.getVersion();
    }
}
