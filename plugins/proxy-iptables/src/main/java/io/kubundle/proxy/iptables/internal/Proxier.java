package io.kubundle.proxy.iptables.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

import io.kubundle.proxy.support.Ownership;
import io.kubundle.proxy.support.Snapshot;
import io.kubundle.proxy.support.SyncLoop;
import io.kubundle.proxy.support.SyncingProxy;

/**
 * Keeps the kernel's iptables rules at what the snapshot says, through a {@link SyncLoop} (one
 * thread, coalesced requests, full resyncs, back-off, one {@link Ownership owner} per namespace).
 * A full sync reads {@code iptables-save}, rewrites all our chains, deletes stale ones and
 * leftovers of a crashed instance and re-inserts the jumps; a partial one writes only the chains
 * that changed. Each is one {@code iptables-restore --noflush}. {@link #close()} removes every
 * chain and jump of ours (when asked to) and lets the namespace go.
 */
final class Proxier extends SyncingProxy<Proxier.SyncResult> {
    private static final System.Logger LOG = System.getLogger(Proxier.class.getName());

    /** What one sync did. */
    record SyncResult(boolean full, int rules, int restoreBytes, long generateNanos, long saveNanos, long restoreNanos) {
    }

    private final Iptables iptables;
    private final RuleGenerator.Settings baseSettings;

    private RuleGenerator generator;
    private RuleSet applied;

    Proxier(Iptables iptables, RuleGenerator.Settings settings, Supplier<Snapshot> source, Ownership ownership, Duration minInterval,
            Duration fullSyncPeriod, boolean cleanupOnClose) {
        super("proxy-iptables", source, ownership, minInterval, fullSyncPeriod, cleanupOnClose);
        this.iptables = iptables;
        this.baseSettings = settings;
    }

    @Override
    public String describe() {
        String version;
        try {
            version = iptables.version();
        } catch (IOException e) {
            version = e.getMessage();
        }
        return "the " + baseSettings.prefix() + "- chains; " + version;
    }

    @Override
    public void sync(boolean full) throws IOException {
        long started = System.nanoTime();
        Snapshot snapshot = snapshot();
        String localCidr = localCidr(baseSettings.localCidr(), snapshot);
        if (generator == null || !generator.settings().localCidr().equals(localCidr)) {
            generator = new RuleGenerator(new RuleGenerator.Settings(baseSettings.prefix(), baseSettings.masqueradeBit(), localCidr,
                    baseSettings.masqueradeAll(), baseSettings.nodePortCidrs(), baseSettings.localhostNodePorts()));
        }
        RuleSet wanted = generator.generate(snapshot.ports(), snapshot.endpoints());
        long generated = System.nanoTime();
        String input;
        if (full || applied == null) {
            full = true;
            applied = null;
            input = wanted.fullRestore(IptablesSave.parse(iptables.save()), generator.names());
        } else {
            input = wanted.partialRestore(applied);
        }
        long written = System.nanoTime();
        if (input != null) {
            iptables.restore(input);
        }
        long restored = System.nanoTime();
        applied = wanted;
        SyncResult result = new SyncResult(full, wanted.ruleCount(), input == null ? 0 : input.length(), generated - started,
                written - generated, restored - written);
        reported(result);
        LOG.log(System.Logger.Level.DEBUG, "proxy-iptables: {0}", result);
    }

    /** Removes every chain of ours and every jump into them; what deactivation does. */
    @Override
    public void cleanup() throws IOException {
        cleanup(iptables, new ChainNames(baseSettings.prefix()));
    }

    static void cleanup(Iptables iptables, ChainNames names) throws IOException {
        String input = RuleSet.cleanupRestore(IptablesSave.parse(iptables.save()), names);
        if (input != null) {
            iptables.restore(input);
        }
    }
}
