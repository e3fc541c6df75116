package io.kubundle.security.internal;

import java.nio.file.Path;

import org.osgi.framework.BundleContext;

/** The launcher's framework properties this bundle reads. */
final class FrameworkProperties {
    static final String DATA_DIR = "kubundle.data.dir";
    static final String API_PORT = "kubundle.api.port";
    static final int DEFAULT_API_PORT = 6443;

    private FrameworkProperties() {
    }

    /** The process's data directory; without one there is nowhere to keep the CA. */
    static Path dataDir(BundleContext context) {
        String dataDir = context.getProperty(DATA_DIR);
        if (dataDir == null || dataDir.isBlank()) {
            throw new IllegalStateException("the framework property " + DATA_DIR + " is not set");
        }
        return Path.of(dataDir.strip());
    }

    /** The API server's port, as the CLI's --port sets it. */
    static int apiPort(BundleContext context) {
        String port = context.getProperty(API_PORT);
        return port == null || port.isBlank() ? DEFAULT_API_PORT : Integer.parseInt(port.strip());
    }
}
