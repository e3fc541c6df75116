package io.kubundle.proxy.support;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The proxies' benchmarks' incremental part: {@code changes} times, one endpoint of a random
 * Service replaced by a new address (10.245.x.y, the c-th change's), then one sync timed from the
 * change to the sync having returned.
 */
public final class BenchChanges {
    /** One partial sync; returns the milliseconds its kernel command took (process start included). */
    public interface Sync {
        double run() throws Exception;
    }

    /** Per change, wall milliseconds of the whole sync and of its command, in the order they ran. */
    public record Result(double[] total, double[] command) {
        /** The address the last change put in: it must be in the kernel's rules afterwards. */
        public static String lastAddress(int changes) {
            return "10.245." + ((changes - 1) / 250) + "." + ((changes - 1) % 250 + 1) + ":8080";
        }

        /** {@code first 3.1 ms, median 2.0 ms, p90 2.5 ms, max 4.0 ms; of which the command median 1.5 ms}. */
        public String summary(String command) {
            double[] sorted = total.clone();
            double[] commands = command().clone();
            Arrays.sort(sorted);
            Arrays.sort(commands);
            int n = sorted.length;
            return String.format(Locale.ROOT, "first %.1f ms, median %.1f ms, p90 %.1f ms, max %.1f ms%n  of which %s (process start"
                    + " included): median %.1f ms", total[0], sorted[n / 2], sorted[(int) (n * 0.9)], sorted[n - 1], command, commands[n / 2]);
        }
    }

    private BenchChanges() {
    }

    /** The benchmark's size: {@code [SERVICES=1000] [ENDPOINTS=5] [CHANGES=50]} from the command line. */
    public record Shape(int services, int endpoints, int changes) {
        public static Shape parse(String[] args) {
            return new Shape(args.length > 0 ? Integer.parseInt(args[0]) : 1000, args.length > 1 ? Integer.parseInt(args[1]) : 5,
                    args.length > 2 ? Integer.parseInt(args[2]) : 50);
        }
    }

    /** A benchmark's body, in a namespace of its own. */
    public interface InNamespace {
        void run(String namespace, java.nio.file.Path lockFile) throws Exception;
    }

    /** Runs {@code body} in a new network namespace {@code PREFIX-PID} with a lock file of its own; deletes both after. */
    public static void inThrowawayNamespace(String prefix, InNamespace body) throws Exception {
        String ns = prefix + "-" + ProcessHandle.current().pid();
        java.nio.file.Path lockDir = java.nio.file.Files.createTempDirectory(prefix);
        TestNet.must("ip", "netns", "add", ns);
        try {
            body.run(ns, lockDir.resolve("bench.lock"));
        } finally {
            TestNet.run(List.of("ip", "netns", "delete", ns));
            java.nio.file.Files.deleteIfExists(lockDir.resolve("bench.lock"));
            java.nio.file.Files.deleteIfExists(lockDir);
        }
    }

    public static Result run(ProxyFixtures.State state, List<ServicePort> ports, int changes, Sync sync) throws Exception {
        Random random = new Random(42);
        double[] times = new double[changes];
        double[] commands = new double[changes];
        for (int c = 0; c < changes; c++) {
            ServicePort port = ports.get(random.nextInt(ports.size()));
            List<Endpoint> eps = new ArrayList<>(state.endpoints.get(ServiceModel.key(port)));
            eps.set(random.nextInt(eps.size()), ProxyFixtures.ready("10.245." + (c / 250) + "." + (c % 250 + 1), 8080));
            long started = System.nanoTime();
            state.endpoints.put(ServiceModel.key(port), eps);
            commands[c] = sync.run();
            times[c] = (System.nanoTime() - started) / 1_000_000.0;
        }
        return new Result(times, commands);
    }
}
