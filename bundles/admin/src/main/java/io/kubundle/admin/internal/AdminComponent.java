package io.kubundle.admin.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.Map;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Runs the admin endpoint while the component is active. Without a modified method, a configuration
 * change makes DS deactivate and reactivate it, which restarts the server with a new token.
 */
@Component(name = AdminComponent.PID, configurationPid = AdminComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, service = {})
@Designate(ocd = AdminConfig.class)
public final class AdminComponent {
    static final String PID = "io.kubundle.admin";
    static final String DATA_DIR_PROPERTY = "kubundle.data.dir";
    static final String HEALTH_PROPERTY = "kubundle.health";
    static final String PORT_PROPERTY = "kubundle.admin.port";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final AdminServer server;
    private final ServiceRegistration<?> healthRegistration;
    private final Path urlFile;
    private final Path tokenFile;
    private final String url;
    private final String token;

    @Activate
    public AdminComponent(BundleContext context, @Reference(name = "scr") ServiceComponentRuntime scr,
            AdminConfig config) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        token = HexFormat.of().formatHex(random);
        HealthReport health = new HealthReport(context, scr);
        server = new AdminServer(config.host(), port(config, context), token,
                new BundleOperations(context, scr, TIMEOUT), health);
        url = server.url();
        // the launcher runs outside the framework and shares only java.* types with it
        Supplier<Map<String, Object>> report = health::build;
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(HEALTH_PROPERTY, Boolean.TRUE);
        healthRegistration = context.registerService(Supplier.class.getName(), report, properties);
        String dataDir = context.getProperty(DATA_DIR_PROPERTY);
        if (dataDir == null || dataDir.isBlank()) {
            urlFile = null;
            tokenFile = null;
            return;
        }
        Path dir = Path.of(dataDir);
        urlFile = dir.resolve("admin.url");
        tokenFile = dir.resolve("admin.token");
        try {
            // token first: whoever sees the url file can rely on the token file being there
            writeAtomically(tokenFile, token, "rw-------");
            writeAtomically(urlFile, url, "rw-r--r--");
        } catch (IOException | RuntimeException e) {
            deactivate();
            throw e;
        }
    }

    /** A configured port wins; otherwise the process's --admin-port, so no etc/ file is needed for it. */
    private static int port(AdminConfig config, BundleContext context) {
        if (config.port() >= 0) {
            return config.port();
        }
        String property = context.getProperty(PORT_PROPERTY);
        return property == null || property.isBlank() ? 0 : Integer.parseInt(property.strip());
    }

    @Deactivate
    void deactivate() {
        healthRegistration.unregister();
        deleteIfOurs(urlFile, url);
        deleteIfOurs(tokenFile, token);
        server.stop();
    }

    private static void writeAtomically(Path target, String content, String permissions) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp");
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
            }
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Another process may have taken over the data directory since; leave its files alone. */
    private static void deleteIfOurs(Path file, String content) {
        if (file == null) {
            return;
        }
        try {
            if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).strip().equals(content)) {
                Files.delete(file);
            }
        } catch (IOException e) {
            // best effort: a stale file only points at a closed port
        }
    }
}
