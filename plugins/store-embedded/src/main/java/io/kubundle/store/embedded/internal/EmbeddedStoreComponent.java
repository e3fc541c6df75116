package io.kubundle.store.embedded.internal;

import java.nio.file.Path;
import java.util.Optional;

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

    private final SqliteStore store;

    @Activate
    public EmbeddedStoreComponent(BundleContext context, StoreConfig config) throws StoreException {
        store = SqliteStore.open(directory(config.path(), context.getProperty(DATA_DIR_PROPERTY)),
                new Options(config.maxBatch(), config.watchBuffer(), config.watchThreads(), config.readConnections()));
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
    void deactivate() {
        store.close();
    }

    @Override
    public long currentRevision() throws StoreException {
        return store.currentRevision();
    }

    @Override
    public long compactedRevision() throws StoreException {
        return store.compactedRevision();
    }

    @Override
    public KeyValue create(String key, byte[] value) throws StoreException {
        return store.create(key, value);
    }

    @Override
    public Optional<KeyValue> get(String key) throws StoreException {
        return store.get(key);
    }

    @Override
    public ListResult list(String prefix, String startAfter, long revision, int limit) throws StoreException {
        return store.list(prefix, startAfter, revision, limit);
    }

    @Override
    public long count(String prefix) throws StoreException {
        return store.count(prefix);
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedModRevision) throws StoreException {
        return store.update(key, value, expectedModRevision);
    }

    @Override
    public Deleted delete(String key, long expectedModRevision) throws StoreException {
        return store.delete(key, expectedModRevision);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) throws StoreException {
        return store.watch(prefix, afterRevision, listener);
    }

    @Override
    public void compact(long revision) throws StoreException {
        store.compact(revision);
    }
}
