package io.kubundle.itests.framework;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Hashtable;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** A FileInstall watcher on a test's own folder, made the way etc/ makes the plugins/ watcher. */
final class FileInstallWatcher {
    private FileInstallWatcher() {
    }

    /** Watches {@code dir} for files matching {@code filter}; delete the returned configuration to stop. */
    static Configuration watch(ConfigurationAdmin configurationAdmin, Path dir, String filter) throws IOException {
        Configuration watcher = configurationAdmin.createFactoryConfiguration("org.apache.felix.fileinstall", "?");
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("felix.fileinstall.dir", dir.toString());
        properties.put("felix.fileinstall.filter", filter);
        properties.put("felix.fileinstall.poll", "100");
        properties.put("felix.fileinstall.noInitialDelay", "true");
        properties.put("felix.fileinstall.bundles.new.start", "true");
        watcher.update(properties);
        return watcher;
    }
}
