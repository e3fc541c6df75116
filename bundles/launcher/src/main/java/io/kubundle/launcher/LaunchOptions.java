package io.kubundle.launcher;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What to start.
 *
 * @param role the role to run, a name in {@code etc/roles.properties} ({@code up}, {@code master}, {@code node})
 * @param home the distribution directory, holding {@code bundles/}, {@code plugins/} and {@code etc/}
 * @param dataDir where this process keeps its state (framework cache, admin endpoint address)
 * @param properties extra framework properties, such as {@code kubundle.api.port}
 */
public record LaunchOptions(String role, Path home, Path dataDir, Map<String, String> properties) {
    public LaunchOptions {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(dataDir, "dataDir");
        properties = Map.copyOf(properties);
    }
}
