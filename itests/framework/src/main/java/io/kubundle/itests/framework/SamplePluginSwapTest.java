package io.kubundle.itests.framework;

import static io.kubundle.itests.framework.Greetings.greetingOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

import io.kubundle.api.admission.AdmissionChain;
import io.kubundle.itests.support.BundleJars;
import io.kubundle.api.admission.MutatingAdmission;

/** The sample plugin installed into a running framework, swapped for its next version, removed. */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class SamplePluginSwapTest {
    static final String SAMPLE = "io.kubundle.sample.greeter";

    @InjectBundleContext
    BundleContext context;

    @InjectService
    AdmissionChain chain;

    @InjectService(cardinality = 0)
    ServiceAware<MutatingAdmission> hooks;

    @TempDir
    Path dir;

    @Test
    void installSwapAndUninstallLeaveNothingBehind() throws Exception {
        assertTrue(hooks.isEmpty(), "no hook before the test");
        assertNull(greetingOf(chain));

        Bundle v1 = context.installBundle("test:sample-v1", Files.newInputStream(TestJars.sample()));
        v1.start();
        hooks.waitForService(10_000);
        assertEquals(v1, hooks.getServiceReference().getBundle());
        assertEquals("Hello from " + SAMPLE + " " + v1.getVersion(), greetingOf(chain));

        // the swap: the next version arrives first, takes over, then the old one leaves
        Bundle v2 = context.installBundle("test:sample-v2", Files.newInputStream(BundleJars.withVersion(TestJars.sample(), "2.0.0", dir)));
        v2.start();
        assertEquals(2, hooks.size());
        v1.uninstall();
        Frameworks.refresh(context);
        assertEquals(List.of(v2), hooks.getServiceReferences().stream().map(r -> r.getBundle()).toList());
        assertEquals("Hello from " + SAMPLE + " 2.0.0", greetingOf(chain));
        assertEquals(List.of("sample-greeter"), chain.hookNames());

        v2.uninstall();
        Frameworks.refresh(context);
        assertTrue(hooks.isEmpty(), "no hook registered after uninstall");
        assertEquals(List.of(), chain.hookNames());
        assertNull(greetingOf(chain), "the chain no longer changes objects");
        assertEquals(List.of(), Frameworks.bundlesNamed(context, SAMPLE));
        assertEquals(0, Frameworks.servicesOf(context, SAMPLE));
        assertTrue(Files.exists(TestJars.sample()));
    }
}
