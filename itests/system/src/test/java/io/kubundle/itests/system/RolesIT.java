package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.kubundle.client.admin.AdminClient;

/** Every role in etc/roles.properties starts from the distribution with every bundle and component active. */
class RolesIT {
    @TempDir
    static Path dir;

    static Distribution distribution;

    @BeforeAll
    static void copyDistribution() throws Exception {
        distribution = Distribution.copyInto(dir);
    }

    static Stream<String> roles() throws Exception {
        Properties roles = new Properties();
        Path built = Path.of(System.getProperty("kubundle.distribution"), "etc/roles.properties");
        try (Reader reader = Files.newBufferedReader(built)) {
            roles.load(reader);
        }
        return roles.stringPropertyNames().stream().filter(r -> Set.of("up", "master", "node").contains(r)).sorted();
    }

    /** Credentials for a cluster that is not there: the node role must come up healthy all the same. */
    private Path unreachableClusterKubeconfig() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("node-pki"));
        Distribution.Result ca = Distribution.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", pki.resolve("ca.key").toString(), "-out",
                pki.resolve("ca.crt").toString(), "-subj", "/CN=nobody", "-days", "1"));
        assertEquals(0, ca.exitCode(), ca.err());
        Path kubeconfig = pki.resolve("kubeconfig");
        Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:"
                + freePort() + "\n    certificate-authority: ca.crt\nusers:\n- name: u\n  user:\n    token: nobody\n"
                + "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
        return kubeconfig;
    }

    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest
    @MethodSource("roles")
    void roleStartsWithEveryBundleAndComponentActive(String role) throws Exception {
        Path dataDir = dir.resolve("data-" + role);
        List<String> args = new ArrayList<>();
        if (role.equals("node")) {
            args.addAll(List.of("--kubeconfig", unreachableClusterKubeconfig().toString()));
        } else {
            args.addAll(List.of("--port", Integer.toString(freePort())));
        }
        try (KubundleProcess process = KubundleProcess.start(distribution, dataDir, role, args.toArray(String[]::new))) {
            assertTrue(process.readyLine.startsWith("kubundle " + role + " ready in "), process.readyLine);

            JsonNode health = AdminClient.forDataDir(dataDir).health();
            assertEquals("ok", health.path("status").asText(), health.toString());
            JsonNode bundles = AdminClient.forDataDir(dataDir).list().path("bundles");
            assertTrue(bundles.size() > 5, bundles.toString());
            int components = 0;
            for (JsonNode bundle : bundles) {
                assertEquals("ACTIVE", bundle.path("state").asText(), bundle.toString());
                for (JsonNode component : bundle.path("components")) {
                    components++;
                    assertTrue(Set.of("ACTIVE", "SATISFIED").contains(component.path("state").asText()), component.toString());
                }
            }
            assertTrue(components >= 1, "the admin component at least");

            Distribution.Result list = distribution.kubundle("bundles", "list", "--data-dir", dataDir.toString());
            assertEquals(0, list.exitCode(), list.err());
            List<String> rows = list.out().lines().filter(l -> l.matches("\\s*\\d+\\s.*")).toList();
            assertEquals(bundles.size(), rows.size(), list.out());
            rows.forEach(row -> assertTrue(row.contains("ACTIVE"), row));

            process.stop();
            assertFalse(Files.exists(dataDir.resolve("admin.url")), "the admin endpoint cleans up when stopped");
        }
    }

    /** kube-proxy's choice: the iptables proxy where the host has iptables, the userspace proxy where it has not. */
    @Test
    void aNodeWithoutIptablesRunsTheUserspaceProxy() throws Exception {
        // PATH as the host's, every command linked in one directory but iptables
        Path bin = Files.createDirectories(dir.resolve("path-without-iptables"));
        for (String directory : System.getenv("PATH").split(":")) {
            Path from = Path.of(directory);
            if (!directory.isEmpty() && Files.isDirectory(from)) {
                try (var commands = Files.list(from)) {
                    for (Path command : commands.toList()) {
                        Path link = bin.resolve(command.getFileName());
                        if (!command.getFileName().toString().equals("iptables") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            Files.createSymbolicLink(link, command);
                        }
                    }
                }
            }
        }
        Path dataDir = dir.resolve("data-node-without-iptables");
        try (KubundleProcess process = KubundleProcess.start(distribution, dataDir, java.util.Map.of("PATH", bin.toString()), "node",
                "--kubeconfig", unreachableClusterKubeconfig().toString())) {
            Distribution.Result list = distribution.kubundle("bundles", "list", "--data-dir", dataDir.toString());
            assertEquals(0, list.exitCode(), list.err());
            assertTrue(list.out().lines().anyMatch(l -> l.contains("io.kubundle.proxy.userspace") && l.contains("ACTIVE")), list.out());
            assertFalse(list.out().contains("io.kubundle.proxy.iptables"), list.out());
            process.stop();
        }
    }
}
