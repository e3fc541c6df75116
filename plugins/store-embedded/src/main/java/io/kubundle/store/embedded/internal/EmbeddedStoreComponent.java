package io.kubundle.store.embedded.internal;

import java.nio.file.Path;
import java.util.Optional;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

import io.kubundle.api.store.Deleted;
import io.kubundle.api.store.KeyValue;
import io.kubundle.api.store.ListResult;
import io.kubundle.api.store.Store;
import io.kubundle.api.store.StoreException;
import io.kubundle.api.store.Watch;
import io.kubundle.api.store.WatchListener;

/**
 * Registers the embedded store. Immediate, so the file is opened (and a problem reported) at start
 * rather than at the first call; a configuration change closes the store and opens it again.
 */
@Component(name = EmbeddedStoreComponent.PID, configurationPid = EmbeddedStoreComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, service = Store.class,
        property = Store.NAME_PROPERTY + "=embedded")
@Designate(ocd = StoreConfig.class)
public final class EmbeddedStoreComponent implements Store {
    static final String PID = "io.kubundle.store.embedded";
    static final String DATA_DIR_PROPERTY = "kubundle.data.dir";
    private static final System.Logger LOG = System.getLogger(EmbeddedStoreComponent.class.getName());

    /** How long a call waits for a handed-over database before it fails. */
    private static final long HANDOVER_WAIT_SECONDS = 30;
    /** How long a swapped-in instance keeps trying to take the database over. */
    private static final long HANDOVER_LIMIT_MILLIS = 300_000;

    private final CountDownLatch opened = new CountDownLatch(1);
    private volatile SqliteStore store;
    private volatile boolean closed;
    private Thread opener;

    /**
     * Opens the database, or, when another instance in this process still holds it (a side-by-side
     * swap: the new version starts before the old one leaves), registers at once and takes the
     * database over as soon as the old instance closes it. Calls made meanwhile wait for it. The
     * API server keeps using the old instance until it leaves (equal ranking: the older service
     * wins), so nothing reaches this one before the handover but what raced the old one's exit.
     */
    @Activate
    public EmbeddedStoreComponent(BundleContext context, StoreConfig config) throws StoreException {
        Path directory = directory(config.path(), context.getProperty(DATA_DIR_PROPERTY));
        Options options = new Options(config.maxBatch(), config.watchBuffer(), config.watchThreads(), config.readConnections());
        try {
            store = SqliteStore.open(directory, options);
            opened.countDown();
        } catch (StoreInUseException inUse) {
            opener = new Thread(() -> takeOver(directory, options), "store-embedded-handover");
            opener.setDaemon(true);
            opener.start();
        }
    }

    private void takeOver(Path directory, Options options) {
        long deadline = System.currentTimeMillis() + HANDOVER_LIMIT_MILLIS;
        while (!closed && System.currentTimeMillis() < deadline) {
            try {
                SqliteStore taken = SqliteStore.open(directory, options);
                synchronized (this) {
                    if (closed) {
                        taken.close();
                        return;
                    }
                    store = taken;
                }
                opened.countDown();
                return;
            } catch (StoreInUseException stillHeld) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            } catch (StoreException e) {
                LOG.log(System.Logger.Level.ERROR, "taking over the store in " + directory + " failed", e);
                return;
            }
        }
        if (!closed) {
            LOG.log(System.Logger.Level.ERROR, "the store in {0} was not released within {1} s; this instance cannot serve",
                    directory, HANDOVER_LIMIT_MILLIS / 1000);
        }
    }

    /** The open database, waiting for a handover in progress. */
    private SqliteStore store() throws StoreException {
        SqliteStore current = store;
        if (current != null) {
            return current;
        }
        try {
            if (opened.await(HANDOVER_WAIT_SECONDS, TimeUnit.SECONDS) && store != null) {
                return store;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new StoreException("the store is still held by the instance being swapped out");
    }

    static Path directory(String path, String dataDir) {
        if (!path.isBlank()) {
            return Path.of(path);
        }
        if (dataDir == null || dataDir.isBlank()) {
            throw new IllegalStateException("no store path configured (" + PID + ".cfg: path) and no framework property "
                    + DATA_DIR_PROPERTY);
        }
        return Path.of(dataDir, "store");
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        SqliteStore current;
        synchronized (this) {
            closed = true;
            current = store;
        }
        if (opener != null) {
            opener.interrupt();
            opener.join(5_000);
        }
        if (current != null) {
            current.close();
        }
    }

    @Override
    public long currentRevision() throws StoreException {
        return store().currentRevision();
    }

    @Override
    public long compactedRevision() throws StoreException {
        return store().compactedRevision();
    }

    @Override
    public KeyValue create(String key, byte[] value) throws StoreException {
        return store().create(key, value);
    }

    @Override
    public Optional<KeyValue> get(String key) throws StoreException {
        return store().get(key);
    }

    @Override
    public ListResult list(String prefix, String startAfter, long revision, int limit) throws StoreException {
        return store().list(prefix, startAfter, revision, limit);
    }

    @Override
    public long count(String prefix) throws StoreException {
        return store().count(prefix);
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedModRevision) throws StoreException {
        return store().update(key, value, expectedModRevision);
    }

    @Override
    public Deleted delete(String key, long expectedModRevision) throws StoreException {
        return store().delete(key, expectedModRevision);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) throws StoreException {
        return store().watch(prefix, afterRevision, listener);
    }

    @Override
    public void compact(long revision) throws StoreException {
        store().compact(revision);
    }
}
