package io.kubundle.proxy.iptables.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.kubundle.proxy.support.BenchChanges;
import io.kubundle.proxy.support.Endpoint;
import io.kubundle.proxy.support.Ownership;
import io.kubundle.proxy.support.ProxyFixtures;
import io.kubundle.proxy.support.ServiceModel;
import io.kubundle.proxy.support.ServicePort;
import io.kubundle.proxy.support.Snapshot;
import io.kubundle.proxy.support.TestNet;

/**
 * The proxy's sync times at scale, in a throwaway network namespace (as root): SERVICES services
 * with ENDPOINTS endpoints each (every other one a NodePort), the first full sync (rules made,
 * iptables-save read, one iptables-restore), then CHANGES single-endpoint changes, each timed from
 * the change to its partial iptables-restore having returned (the rule in place). See
 * docs/benchmarks.md for the command.
 *
 * <pre>java ... ProxySyncBench [SERVICES=1000] [ENDPOINTS=5] [CHANGES=50] [FAMILY: empty (host default), nft or legacy]</pre>
 */
public final class ProxySyncBench {
    private ProxySyncBench() {
    }

    public static void main(String[] args) throws Exception {
        BenchChanges.Shape shape = BenchChanges.Shape.parse(args);
        String family = args.length > 3 ? args[3] : "";
        BenchChanges.inThrowawayNamespace("kpb", (ns, lockFile) -> run(shape, family, ns, lockFile));
    }

    private static void run(BenchChanges.Shape shape, String family, String ns, Path lockFile) throws Exception {
        ProxyFixtures.State state = new ProxyFixtures.State();
        List<ServicePort> ports = state.bench(shape.services(), shape.endpoints());
        Iptables iptables = new Iptables(List.of("nsenter", "--net=/run/netns/" + ns), family, 120);
        Proxier proxier = new Proxier(iptables, Fixtures.settings(), state::snapshot,
                new Ownership(lockFile), Duration.ZERO, Duration.ofHours(1), true);
        try {
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu = threads.getCurrentThreadCpuTime();
            Proxier.SyncResult full = proxier.syncOnce(true);
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            int rules = full.rules();
            System.out.printf("load average before: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.printf("%d services x %d endpoints: %d rules, %d KiB of iptables-restore input (%s)%n", shape.services(), shape.endpoints(), rules,
                    full.restoreBytes() / 1024, iptables.version());
            System.out.printf("first full sync: %.0f ms (rules %.0f ms, iptables-save and restore input %.0f ms, iptables-restore %.0f ms)%n",
                    ms(full.generateNanos() + full.saveNanos() + full.restoreNanos()), ms(full.generateNanos()), ms(full.saveNanos()),
                    ms(full.restoreNanos()));
            System.out.printf("  of which CPU in this JVM (cold: class loading, JIT): %.0f ms%n", ms(cpu));
            int[] bytes = new int[1];
            BenchChanges.Result changed = BenchChanges.run(state, ports, shape.changes(), () -> {
                Proxier.SyncResult partial = proxier.syncOnce(false);
                bytes[0] = partial.restoreBytes();
                return ms(partial.restoreNanos());
            });
            if (!TestNet.must("ip", "netns", "exec", ns, family.isEmpty() ? "iptables-save" : "iptables-" + family + "-save", "-t", "nat")
                    .contains("--to-destination " + BenchChanges.Result.lastAddress(shape.changes()))) {
                throw new AssertionError("the last change is not in the kernel's rules");
            }
            System.out.printf("one endpoint changed, to its rule in place (%d changes, about %d bytes each): %s%n", shape.changes(), bytes[0],
                    changed.summary("iptables-restore"));
            long started = System.nanoTime();
            Proxier.SyncResult again = proxier.syncOnce(true);
            System.out.printf("a later full sync (warm JVM, existing rules replaced): %.0f ms%n", ms(System.nanoTime() - started));
            System.out.printf("load average after: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            if (again.rules() != rules) {
                throw new AssertionError("rule count changed");
            }
            cpuFigures(state, ports, family);
        } finally {
            proxier.close();
        }
    }

    /**
     * CPU time, which a loaded machine inflates less than wall time: the rules made again by a
     * fresh generator (this JVM warm) and after one change, and {@code iptables-restore} of the
     * full and of the partial input in a second namespace, from {@code /usr/bin/time}.
     */
    private static void cpuFigures(ProxyFixtures.State state, List<ServicePort> ports, String family) throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        RuleGenerator generator = new RuleGenerator(Fixtures.settings());
        Snapshot snapshot = state.snapshot();
        long cpu = threads.getCurrentThreadCpuTime();
        RuleSet full = generator.generate(snapshot.ports(), snapshot.endpoints());
        String fullInput = full.fullRestore(IptablesSave.parse(""), generator.names());
        long fullCpu = threads.getCurrentThreadCpuTime() - cpu;
        ServicePort port = ports.get(0);
        List<Endpoint> eps = new ArrayList<>(state.endpoints.get(ServiceModel.key(port)));
        eps.set(0, ProxyFixtures.ready("10.246.0.1", 8080));
        state.endpoints.put(ServiceModel.key(port), eps);
        snapshot = state.snapshot();
        cpu = threads.getCurrentThreadCpuTime();
        RuleSet next = generator.generate(snapshot.ports(), snapshot.endpoints());
        String partialInput = next.partialRestore(full);
        long partialCpu = threads.getCurrentThreadCpuTime() - cpu;
        String ns = "kpb-cpu-" + ProcessHandle.current().pid();
        Path fullFile = Files.createTempFile("kpb-full", ".rules");
        Path partialFile = Files.createTempFile("kpb-partial", ".rules");
        TestNet.must("ip", "netns", "add", ns);
        try {
            Files.writeString(fullFile, fullInput);
            Files.writeString(partialFile, partialInput);
            String restore = family.isEmpty() ? "iptables-restore" : "iptables-" + family + "-restore";
            String fullRestore = TestNet.must("/usr/bin/time", "-f", "user %U s, system %S s, elapsed %e s", "ip", "netns", "exec", ns,
                    restore, "--noflush", fullFile.toString());
            String partialRestore = TestNet.must("/usr/bin/time", "-f", "user %U s, system %S s, elapsed %e s", "ip", "netns", "exec", ns,
                    restore, "--noflush", partialFile.toString());
            System.out.printf("CPU, warm JVM: rules and restore input, all %.0f ms, after one change %.1f ms%n", ms(fullCpu), ms(partialCpu));
            System.out.printf("CPU of iptables-restore: full input %s; one change %s%n", fullRestore, partialRestore);
        } finally {
            TestNet.run(List.of("ip", "netns", "delete", ns));
            Files.deleteIfExists(fullFile);
            Files.deleteIfExists(partialFile);
        }
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
