package io.kubundle.net.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kubundle.api.network.NetworkFailure;

final class PluginRunnerTest {
    private static final PluginRunner.Call ADD = new PluginRunner.Call("ADD", "uid-1", "/run/netns/x", "eth0", "IgnoreUnknown=1");
    private FakePlugins fake;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakePlugins();
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.close();
    }

    @Test
    void theEnvironmentCarriesTheCallAndThePath() {
        PluginRunner runner = new PluginRunner(List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni")), Duration.ofSeconds(1));
        assertEquals(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "uid-1", "CNI_NETNS", "/run/netns/x", "CNI_IFNAME", "eth0",
                "CNI_ARGS", "IgnoreUnknown=1", "CNI_PATH", "/opt/cni/bin:/usr/lib/cni"), runner.environment(ADD));
    }

    @Test
    void resultsAndErrorsAreRead() throws Exception {
        assertEquals("1.0.0", PluginRunner.parseOutput("p", "ADD", 0, "{\"cniVersion\":\"1.0.0\"}", "").path("cniVersion").asText());
        assertNull(PluginRunner.parseOutput("p", "DEL", 0, "", "some log line"));
        assertFailure("CNI plugin p ADD failed (code 1, incompatible CNI version): 9.9.9 is not supported",
                1, "{\"code\": 1, \"msg\": \"9.9.9 is not supported\"}", "");
        assertFailure("CNI plugin p ADD failed (code 3, container unknown or does not exist): no such container (uid-1)",
                1, "{\"code\": 3, \"msg\": \"no such container\", \"details\": \"uid-1\"}", "");
        assertFailure("CNI plugin p ADD failed (code 123): custom", 0, "{\"code\": 123, \"msg\": \"custom\"}", "");
        assertFailure("CNI plugin p ADD failed (exit 2): panic: oops", 2, "half a line", "panic: oops\n");
        assertFailure("CNI plugin p ADD failed (exit 2): half a line", 2, "half a line", "");
        assertFailure("CNI plugin p ADD printed no JSON: hello", 0, "hello", "");
    }

    private static void assertFailure(String message, int exit, String stdout, String stderr) {
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> PluginRunner.parseOutput("p", "ADD", exit, stdout, stderr));
        assertEquals(message, failure.getMessage());
    }

    @Test
    void theFirstDirectoryHavingThePluginWins() throws Exception {
        Path other = Files.createDirectories(fake.root.resolve("other"));
        fake.plugin("p", "{}");
        Files.copy(fake.bin.resolve("p"), other.resolve("p"));
        Files.writeString(fake.root.resolve("not-executable"), "");
        PluginRunner runner = new PluginRunner(List.of(fake.root, other, fake.bin), Duration.ofSeconds(1));
        assertEquals(other.resolve("p"), runner.find("p"));
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> runner.find("not-executable"));
        assertTrue(failure.getMessage().startsWith("CNI plugin \"not-executable\" not found in"), failure.getMessage());
        assertThrows(NetworkFailure.class, () -> runner.find("../bin/p"));
    }

    @Test
    void aHungPluginIsKilledAtTheTimeout() throws Exception {
        Path pidFile = fake.root.resolve("child.pid");
        fake.script("hang", "sleep 60 & echo $! > " + pidFile + "\nwait\n");
        PluginRunner runner = new PluginRunner(List.of(fake.bin), Duration.ofSeconds(1));
        long start = System.nanoTime();
        NetworkFailure failure = assertThrows(NetworkFailure.class,
                () -> runner.run("hang", ADD, NetworkList.JSON.createObjectNode()));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "did not wait for the plugin");
        assertEquals("CNI plugin hang ADD did not finish within 1 s and was killed", failure.getMessage());
        long child = Long.parseLong(Files.readString(pidFile).strip());
        for (int i = 0; i < 50 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertTrue(ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true), "what the plugin started is killed too");
    }

    @Test
    void theCallReachesThePluginsEnvironment() throws Exception {
        fake.script("env", "printf '{\"cniVersion\":\"1.0.0\",\"x\":\"%s\"}' \"$CNI_ARGS\"\n");
        PluginRunner runner = new PluginRunner(List.of(fake.bin), Duration.ofSeconds(5));
        assertEquals("IgnoreUnknown=1", runner.run("env", ADD, NetworkList.JSON.createObjectNode()).path("x").asText());
    }
}
