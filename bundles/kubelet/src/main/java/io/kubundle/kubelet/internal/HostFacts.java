package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the kubelet reads off the machine it runs on: CPUs, memory, disk, kernel, OS, addresses. */
record HostFacts(int cpus, long memoryBytes, long diskBytes, String kernelVersion, String osImage, String machineId,
        String bootId, String hostname) {

    static HostFacts read(Path rootDir) throws IOException {
        Files.createDirectories(rootDir);
        return new HostFacts(Runtime.getRuntime().availableProcessors(), memTotal(), Files.getFileStore(rootDir).getTotalSpace(),
                firstLine(Path.of("/proc/sys/kernel/osrelease"), "unknown"), readOsImage(),
                firstLine(Path.of("/etc/machine-id"), "unknown"), firstLine(Path.of("/proc/sys/kernel/random/boot_id"), "unknown"),
                InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT));
    }

    private static long memTotal() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("/proc/meminfo has no MemTotal");
    }

    private static String readOsImage() throws IOException {
        Path release = Path.of("/etc/os-release");
        if (Files.exists(release)) {
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        }
        return "Linux";
    }

    private static String firstLine(Path file, String fallback) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? fallback : lines.get(0).strip();
        } catch (IOException e) {
            return fallback;
        }
    }

    /**
     * The address the node registers, as the kubelet picks it: the IPv4 address of the interface
     * the default route goes through, else of the first interface that is up and not loopback,
     * else 127.0.0.1.
     */
    static String primaryIpv4() throws IOException {
        Optional<String> defaultInterface = Files.readAllLines(Path.of("/proc/net/route")).stream().skip(1)
                .map(line -> line.trim().split("\\s+")).filter(fields -> fields.length > 2 && "00000000".equals(fields[1]))
                .map(fields -> fields[0]).findFirst();
        if (defaultInterface.isPresent()) {
            Optional<String> address = ipv4(NetworkInterface.getByName(defaultInterface.get()));
            if (address.isPresent()) {
                return address.get();
            }
        }
        for (NetworkInterface candidate : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (candidate.isUp() && !candidate.isLoopback() && !candidate.isVirtual() && !candidate.getName().startsWith("veth")
                    && !candidate.getName().startsWith("kubundle")) {
                Optional<String> address = ipv4(candidate);
                if (address.isPresent()) {
                    return address.get();
                }
            }
        }
        return "127.0.0.1";
    }

    private static Optional<String> ipv4(NetworkInterface networkInterface) {
        if (networkInterface == null) {
            return Optional.empty();
        }
        return networkInterface.inetAddresses().filter(a -> a instanceof Inet4Address).map(InetAddress::getHostAddress).findFirst();
    }
}
