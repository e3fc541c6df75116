package io.kubundle.itests.framework;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;

/** Framework chores the tests share. */
final class Frameworks {
    private Frameworks() {
    }

    /** Refreshes the wiring after uninstalls and waits for it, as the admin endpoint does. */
    static void refresh(BundleContext context) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("refresh did not finish in 30 s");
        }
    }

    /** Bundles with this symbolic name, in any state but UNINSTALLED. */
    static List<Bundle> bundlesNamed(BundleContext context, String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).toList();
    }

    /** Every service registered by any bundle with this symbolic name. */
    static long servicesOf(BundleContext context, String symbolicName) throws Exception {
        ServiceReference<?>[] all = context.getAllServiceReferences(null, null);
        return all == null ? 0
                : Arrays.stream(all).filter(r -> r.getBundle() != null && symbolicName.equals(r.getBundle().getSymbolicName())).count();
    }

    /** Waits for a bundle with this symbolic name to be active and returns its version. */
    static String activeVersionOf(BundleContext context, String symbolicName) throws Exception {
        Await.until(symbolicName + " active", () -> bundlesNamed(context, symbolicName).stream()
                .anyMatch(b -> b.getState() == Bundle.ACTIVE), true);
        return bundlesNamed(context, symbolicName).get(0).getVersion().toString();
    }
}
