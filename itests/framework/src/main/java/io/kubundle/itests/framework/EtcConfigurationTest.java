package io.kubundle.itests.framework;

import static io.kubundle.itests.framework.Greetings.greetingOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

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

/** A *.cfg file in a watched etc/ folder configures a running component; changing it reconfigures it. */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class EtcConfigurationTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService
    AdmissionChain chain;

    @InjectService
    ConfigurationAdmin configurationAdmin;

    @TempDir
    Path dir;

    private Path etc;
    private Configuration watcher;
    private Bundle sample;

    @BeforeEach
    void watchAnEtcFolderAndInstallTheSample() throws Exception {
        etc = Files.createDirectories(dir.resolve("etc"));
        watcher = FileInstallWatcher.watch(configurationAdmin, etc, ".*\\.cfg");
        sample = context.installBundle("test:sample-config", Files.newInputStream(TestJars.sample()));
        sample.start();
    }

    @AfterEach
    void cleanUp() throws Exception {
        sample.uninstall();
        watcher.delete();
        // FileInstall leaves the configurations it made when its watcher goes; later tests expect none
        Configuration greeter = configurationAdmin.getConfiguration("io.kubundle.sample.greeter", "?");
        greeter.delete();
        Frameworks.refresh(context);
    }

    private void writeConfig(String text) throws Exception {
        Path staged = dir.resolve("staged.cfg");
        Files.writeString(staged, text);
        Files.move(staged, etc.resolve("io.kubundle.sample.greeter.cfg"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aChangedFileReconfiguresTheRunningComponent() throws Exception {
        String suffix = " from " + sample.getSymbolicName() + " " + sample.getVersion();
        Await.until("default greeting", () -> greetingOf(chain), "Hello" + suffix);

        writeConfig("greeting = Bonjour\n");
        Await.until("greeting from the new file", () -> greetingOf(chain), "Bonjour" + suffix);

        writeConfig("greeting = Hola\n");
        Await.until("greeting from the changed file", () -> greetingOf(chain), "Hola" + suffix);

        Files.delete(etc.resolve("io.kubundle.sample.greeter.cfg"));
        Await.until("greeting once the file is gone", () -> greetingOf(chain), "Hello" + suffix);
    }
}
