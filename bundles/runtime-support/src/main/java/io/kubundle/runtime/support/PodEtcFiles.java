package io.kubundle.runtime.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.kubundle.api.runtime.SandboxConfig;

/**
 * The files a container gets at {@code /etc/hosts}, {@code /etc/resolv.conf} and
 * {@code /etc/hostname}, written into its directory for the runtime to bind-mount: the pod's
 * hostname (the node's for a pod on the host network), the hosts file as the kubelet manages it
 * (the pod's own address and names and its host aliases; the node's file on the host network) and
 * the pod's resolver settings (the node's {@code /etc/resolv.conf} when the kubelet gives none).
 *
 * @param hostName the containers' host name
 * @param hosts the file for {@code /etc/hosts}
 * @param resolvConf the file for {@code /etc/resolv.conf}
 * @param hostname the file for {@code /etc/hostname}
 */
public record PodEtcFiles(String hostName, Path hosts, Path resolvConf, Path hostname) {
    private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");

    /** Writes the three files into {@code dir} for a container of {@code pod}. */
    public static PodEtcFiles write(Path dir, SandboxConfig pod) throws IOException {
        String hostname = pod.netnsPath() == null ? Files.readString(Path.of("/proc/sys/kernel/hostname")).strip() : pod.hostname();
        PodEtcFiles files = new PodEtcFiles(hostname, dir.resolve("hosts"), dir.resolve("resolv.conf"), dir.resolve("hostname"));
        Files.writeString(files.hosts(), pod.netnsPath() == null ? hostNetworkHosts() : hosts(pod));
        if (pod.dns() != null) {
            Files.writeString(files.resolvConf(), pod.dns().resolvConf());
        } else {
            Files.write(files.resolvConf(), Files.exists(HOST_RESOLV_CONF) ? Files.readAllBytes(HOST_RESOLV_CONF) : new byte[0]);
        }
        Files.writeString(files.hostname(), hostname + "\n");
        return files;
    }

    /** The kubelet's managed hosts file: localhost, the IPv6 names, then the sandbox's entries. */
    static String hosts(SandboxConfig pod) {
        StringBuilder text = new StringBuilder("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
                + "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\n"
                + "fe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
        for (SandboxConfig.HostEntry entry : pod.hostEntries()) {
            text.append(entry.ip()).append('\t').append(String.join("\t", entry.names())).append('\n');
        }
        return text.toString();
    }

    /** A pod on the host's network sees the node's own hosts file, as with the kubelet. */
    private static String hostNetworkHosts() throws IOException {
        Path host = Path.of("/etc/hosts");
        return Files.exists(host) ? Files.readString(host) : "127.0.0.1\tlocalhost\n";
    }
}
