package io.kubundle.runtime.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.runtime.Resources;
import io.kubundle.api.runtime.SandboxConfig;

class PodEtcFilesTest {
    @TempDir
    Path dir;

    private static SandboxConfig pod(String netnsPath, List<SandboxConfig.HostEntry> hosts) {
        return new SandboxConfig("uid-1", "default", "web-0", 0, "web-0", netnsPath, "kubepods/poduid-1", Resources.NONE,
                "/var/log/pods/x", Map.of(), Map.of(),
                new SandboxConfig.DnsConfig(List.of("169.254.20.10"), List.of("default.svc.cluster.local"), List.of("ndots:5")),
                hosts);
    }

    @Test
    void theHostsFileHasThePodsAddressAndNamesThenItsAliases() throws Exception {
        PodEtcFiles files = PodEtcFiles.write(dir, pod("/run/netns/x", List.of(
                new SandboxConfig.HostEntry("10.244.1.5", List.of("web-0.nginx.default.svc.cluster.local", "web-0")),
                new SandboxConfig.HostEntry("10.1.2.3", List.of("foo.local", "bar.local")))));
        List<String> lines = Files.readAllLines(files.hosts());
        assertEquals("# Kubernetes-managed hosts file.", lines.get(0));
        assertEquals("127.0.0.1\tlocalhost", lines.get(1));
        assertEquals(List.of("10.244.1.5\tweb-0.nginx.default.svc.cluster.local\tweb-0", "10.1.2.3\tfoo.local\tbar.local"),
                lines.subList(lines.size() - 2, lines.size()));
        assertEquals("web-0\n", Files.readString(files.hostname()));
        assertEquals("nameserver 169.254.20.10\nsearch default.svc.cluster.local\noptions ndots:5\n",
                Files.readString(files.resolvConf()));
    }

    @Test
    void aPodOnTheHostNetworkGetsTheNodesHostsFileAndName() throws Exception {
        PodEtcFiles files = PodEtcFiles.write(dir, pod(null, List.of(new SandboxConfig.HostEntry("10.244.1.5", List.of("web-0")))));
        assertEquals(Files.readString(Path.of("/etc/hosts")), Files.readString(files.hosts()));
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), files.hostName());
    }

    @Test
    void aSandboxRecordedBeforeHostEntriesHasNone() {
        SandboxConfig old = new SandboxConfig("u", "ns", "n", 0, "n", "/run/netns/x", "p", Resources.NONE, "/l", Map.of(), Map.of(),
                null);
        assertEquals(List.of(), old.hostEntries());
        SandboxConfig read = new SandboxConfig("u", "ns", "n", 0, "n", "/run/netns/x", "p", Resources.NONE, "/l", Map.of(), Map.of(),
                null, null);
        assertTrue(read.hostEntries().isEmpty());
    }
}
