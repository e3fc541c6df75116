package io.kubundle.itests.framework;

import static io.kubundle.itests.framework.Greetings.greetingOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

import io.kubundle.api.admission.AdmissionChain;
import io.kubundle.itests.support.BundleJars;

/**
 * The plugins/ folder as the distribution configures it (a FileInstall watcher from a factory
 * configuration): drop the jar, replace it with the next version, delete it.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class PluginsFolderTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService
    AdmissionChain chain;

    @InjectService
    ConfigurationAdmin configurationAdmin;

    @TempDir
    Path dir;

    private Path plugins;
    private Configuration watcher;

    @BeforeEach
    void watchAPluginsFolder() throws Exception {
        plugins = Files.createDirectories(dir.resolve("plugins"));
        watcher = FileInstallWatcher.watch(configurationAdmin, plugins, ".*\\.jar");
    }

    @AfterEach
    void stopWatching() throws Exception {
        // a stopped watcher leaves its bundles installed; a failed test must not leak them into the next
        watcher.delete();
        for (Bundle bundle : Frameworks.bundlesNamed(context, SamplePluginSwapTest.SAMPLE)) {
            bundle.uninstall();
        }
        Frameworks.refresh(context);
    }

    @Test
    void aJarDroppedReplacedAndRemovedInstallsUpdatesAndUninstalls() throws Exception {
        Path target = plugins.resolve("sample-greeter.jar");
        Path staged = dir.resolve("staged.jar");

        Files.copy(TestJars.sample(), staged);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        String v1 = Frameworks.activeVersionOf(context, SamplePluginSwapTest.SAMPLE);
        Await.until("greeting of the dropped plugin", () -> greetingOf(chain), "Hello from " + SamplePluginSwapTest.SAMPLE + " " + v1);

        Files.copy(BundleJars.withVersion(TestJars.sample(), "2.0.0", dir), staged);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Await.until("greeting after the jar was replaced", () -> greetingOf(chain), "Hello from " + SamplePluginSwapTest.SAMPLE + " 2.0.0");
        assertEquals(1, Frameworks.bundlesNamed(context, SamplePluginSwapTest.SAMPLE).size(), "updated in place, not installed twice");

        Files.delete(target);
        Await.until("bundles after the jar was removed", () -> Frameworks.bundlesNamed(context, SamplePluginSwapTest.SAMPLE), List.of());
        assertEquals(null, greetingOf(chain));
        assertEquals(List.of(), chain.hookNames());
        assertEquals(0, Frameworks.servicesOf(context, SamplePluginSwapTest.SAMPLE));
    }
}
