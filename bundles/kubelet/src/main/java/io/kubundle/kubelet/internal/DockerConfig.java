package io.kubundle.kubelet.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.api.runtime.ImageService;

/**
 * Reads a {@code kubernetes.io/dockerconfigjson} Secret's {@code .dockerconfigjson}:
 * {@code {"auths": {"registry": {"username": ..., "password": ..., "auth": base64(user:pass)}}}}.
 */
final class DockerConfig {
    private DockerConfig() {
    }

    static List<ImageService.RegistryCredentials> parse(JsonNode config) {
        List<ImageService.RegistryCredentials> credentials = new ArrayList<>();
        JsonNode auths = config.path("auths");
        for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) auths::fields) {
            String registry = registryHost(entry.getKey());
            JsonNode auth = entry.getValue();
            String username = auth.path("username").asText("");
            String password = auth.path("password").asText("");
            if ((username.isEmpty() || password.isEmpty()) && auth.hasNonNull("auth")) {
                String decoded = new String(Base64.getDecoder().decode(auth.get("auth").asText()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    username = decoded.substring(0, colon);
                    password = decoded.substring(colon + 1);
                }
            }
            if (!username.isEmpty()) {
                credentials.add(new ImageService.RegistryCredentials(registry, username, password));
            }
        }
        return credentials;
    }

    /** {@code https://index.docker.io/v1/} and the like name a host; Docker Hub's names are docker.io. */
    static String registryHost(String key) {
        String host = key.replaceFirst("^https?://", "");
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        return switch (host) {
            case "index.docker.io", "registry-1.docker.io", "docker.io" -> "docker.io";
            default -> host;
        };
    }
}
