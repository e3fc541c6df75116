package io.kubundle.proxy.nftables.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.kubundle.proxy.support.BenchChanges;
import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.HostCommands;
import io.kubundle.proxy.support.Ownership;
import io.kubundle.proxy.support.ProxyFixtures;
import io.kubundle.proxy.support.ServicePort;
import io.kubundle.proxy.support.Snapshot;
import io.kubundle.proxy.support.TestNet;

/**
 * The nftables proxy's sync times at scale, in a throwaway network namespace (as root), the same
 * shape as proxy-iptables' ProxySyncBench: SERVICES services with ENDPOINTS endpoints each (every
 * other one a NodePort), the first full sync (table made in one nft -f), then CHANGES
 * single-endpoint changes, each timed from the change to its partial nft -f having returned (the
 * rule in the kernel). See docs/benchmarks.md for the command.
 *
 * <pre>java ... NftSyncBench [SERVICES=1000] [ENDPOINTS=5] [CHANGES=50]</pre>
 */
public final class NftSyncBench {
    private NftSyncBench() {
    }

    public static void main(String[] args) throws Exception {
        BenchChanges.Shape shape = BenchChanges.Shape.parse(args);
        BenchChanges.inThrowawayNamespace("knb", (ns, lockFile) -> run(shape, ns, lockFile));
    }

    private static void run(BenchChanges.Shape shape, String ns, Path lockFile) throws Exception {
        ProxyFixtures.State state = new ProxyFixtures.State();
        state.podCidr = "10.244.0.0/16";
        List<ServicePort> ports = state.bench(shape.services(), shape.endpoints());
        Nft nft = new Nft(HostCommands.inNamespace(ns));
        NftProxier proxier = new NftProxier(nft, NamespaceNftTest.settings("kubundle-proxy"), state::snapshot,
                new Ownership(lockFile), Duration.ZERO, Duration.ofHours(1), true);
        try {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu = threads.getCurrentThreadCpuTime();
            NftProxier.SyncResult full = proxier.syncOnce(true);
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            System.out.printf("load average before: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.printf("%d services x %d endpoints: %d rules, %d map elements, %d KiB of nft input (%s)%n", shape.services(), shape.endpoints(),
                    full.rules(), full.elements(), full.inputBytes() / 1024, nft.version());
            System.out.printf("first full sync: %.0f ms (rules %.0f ms, nft -f %.0f ms)%n", ms(full.generateNanos() + full.applyNanos()),
                    ms(full.generateNanos()), ms(full.applyNanos()));
            System.out.printf("  of which CPU in this JVM (cold: class loading, JIT): %.0f ms%n", ms(cpu));
            int[] bytes = new int[1];
            BenchChanges.Result changed = BenchChanges.run(state, ports, shape.changes(), () -> {
                NftProxier.SyncResult partial = proxier.syncOnce(false);
                if (partial.full()) {
                    throw new AssertionError("a change made a full sync");
                }
                bytes[0] = partial.inputBytes();
                return ms(partial.applyNanos());
            });
            // the DNAT map of the changed service chain lists an endpoint as "ip . port"
            if (!nft.list("kubundle-proxy").contains(" : " + BenchChanges.Result.lastAddress(shape.changes()).replace(":", " . "))) {
                throw new AssertionError("the last change is not in the kernel's rules");
            }
            System.out.printf("one endpoint changed, in the kernel (%d changes, about %d bytes of nft input each): %s%n", shape.changes(),
                    bytes[0], changed.summary("nft -f"));
            long started = System.nanoTime();
            NftProxier.SyncResult again = proxier.syncOnce(true);
            System.out.printf("a later full sync (warm JVM, the table replaced): %.0f ms (nft -f %.0f ms)%n", ms(System.nanoTime() - started),
                    ms(again.applyNanos()));
            System.out.printf("load average after: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            if (again.rules() != full.rules()) {
                throw new AssertionError("rule count changed");
            }
            cpuFigures(state, ns);
        } finally {
            proxier.close();
        }
    }

    /** CPU time of the JVM's part (warm) and of {@code nft -f} for the full and a one-change input, from {@code /usr/bin/time}. */
    private static void cpuFigures(ProxyFixtures.State state, String ns) throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        NftGenerator generator = new NftGenerator(NamespaceNftTest.settings("kubundle-cpu"));
        Snapshot snapshot = state.snapshot();
        long cpu = threads.getCurrentThreadCpuTime();
        NftRuleset full = generator.generate(snapshot.ports(), snapshot.endpoints());
        String fullInput = full.full();
        long fullCpu = threads.getCurrentThreadCpuTime() - cpu;
        String key = new java.util.TreeSet<>(state.ports.keySet()).first();
        List<Endpoint> eps = new ArrayList<>(state.endpoints.get(key));
        eps.set(0, ProxyFixtures.ready("10.246.0.1", 8080));
        state.endpoints.put(key, eps);
        snapshot = state.snapshot();
        cpu = threads.getCurrentThreadCpuTime();
        NftRuleset next = generator.generate(snapshot.ports(), snapshot.endpoints());
        String partialInput = next.partial(full);
        long partialCpu = threads.getCurrentThreadCpuTime() - cpu;
        Path fullFile = Files.createTempFile("knb-full", ".nft");
        Path partialFile = Files.createTempFile("knb-partial", ".nft");
        try {
            Files.writeString(fullFile, fullInput);
            Files.writeString(partialFile, partialInput);
            String time = "user %U s, system %S s, elapsed %e s";
            String fullApply = TestNet.must("/usr/bin/time", "-f", time, "nsenter", "--net=/run/netns/" + ns, "nft", "-f", fullFile.toString());
            String partialApply = TestNet.must("/usr/bin/time", "-f", time, "nsenter", "--net=/run/netns/" + ns, "nft", "-f",
                    partialFile.toString());
            System.out.printf("CPU, warm JVM: rules and nft input, all %.0f ms, after one change %.1f ms%n", ms(fullCpu), ms(partialCpu));
            System.out.printf("CPU of nft -f: full input %s; one change %s%n", fullApply, partialApply);
        } finally {
            Files.deleteIfExists(fullFile);
            Files.deleteIfExists(partialFile);
        }
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
