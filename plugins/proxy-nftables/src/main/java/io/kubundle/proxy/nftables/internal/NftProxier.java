package io.kubundle.proxy.nftables.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;

import io.kubundle.proxy.support.Ownership;
import io.kubundle.proxy.support.Snapshot;
import io.kubundle.proxy.support.SyncLoop;
import io.kubundle.proxy.support.SyncingProxy;

/**
 * Keeps our nftables table at what the snapshot says, through a {@link SyncLoop} (one thread,
 * coalesced requests, full resyncs, back-off, one {@link Ownership owner} per namespace and
 * table). A full sync replaces the table in one {@code nft -f} transaction; a partial one writes
 * only the chains, sets and map elements that changed (none: no command). {@link #close()}
 * deletes the table (when asked to) and lets the namespace go.
 */
final class NftProxier extends SyncingProxy<NftProxier.SyncResult> {
    private static final System.Logger LOG = System.getLogger(NftProxier.class.getName());

    /** What one sync did. */
    record SyncResult(boolean full, int rules, int elements, int inputBytes, long generateNanos, long applyNanos) {
    }

    private final Nft nft;
    private final NftGenerator.Settings baseSettings;

    private NftGenerator generator;
    private NftRuleset applied;

    NftProxier(Nft nft, NftGenerator.Settings settings, Supplier<Snapshot> source, Ownership ownership, Duration minInterval,
            Duration fullSyncPeriod, boolean cleanupOnClose) {
        super("proxy-nftables", source, ownership, minInterval, fullSyncPeriod, cleanupOnClose);
        this.nft = nft;
        this.baseSettings = settings;
    }

    @Override
    public String describe() {
        return "table ip " + baseSettings.table() + "; " + nft.version();
    }

    @Override
    public void sync(boolean full) throws IOException {
        long started = System.nanoTime();
        Snapshot snapshot = snapshot();
        String localCidr = localCidr(baseSettings.localCidr(), snapshot);
        if (generator == null || !generator.settings().localCidr().equals(localCidr)) {
            generator = new NftGenerator(baseSettings.withLocalCidr(localCidr));
        }
        NftRuleset wanted = generator.generate(snapshot.ports(), snapshot.endpoints());
        String input;
        if (full || !wanted.canFollow(applied)) {
            full = true;
            applied = null;
            input = wanted.full();
        } else {
            input = wanted.partial(applied);
        }
        long generated = System.nanoTime();
        if (input != null) {
            nft.apply(input);
        }
        long done = System.nanoTime();
        applied = wanted;
        SyncResult result = new SyncResult(full, wanted.ruleCount(), wanted.elementCount(), input == null ? 0 : input.length(),
                generated - started, done - generated);
        reported(result);
        LOG.log(System.Logger.Level.DEBUG, "proxy-nftables: {0}", result);
    }

    /** Deletes our table: every chain, map, set and rule of ours at once. */
    @Override
    public void cleanup() throws IOException {
        nft.apply(NftRuleset.cleanup(baseSettings.table()));
        applied = null;
    }
}
