package io.kubundle.proxy.userspace.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Informers on Services and EndpointSlices feeding the {@link UserspaceProxy}. Every change asks
 * for a sync; syncs run on one thread, read the whole cache (level, not edge) and coalesce the
 * requests of {@link #COALESCE_MILLIS}. The first sync waits for both lists, so a proxy swapped in
 * never serves an empty table. A sync also runs every {@link #RESYNC_SECONDS} s, to retry
 * listeners that could not bind and put back addresses removed behind the proxy's back (one
 * {@code ip addr show} when nothing changed).
 */
final class ClusterFeed implements ControllerHost.Controller, ResourceHandler<ObjectNode> {
    static final ResourceKind<ObjectNode> SERVICES = ResourceKind.of("v1", "Service", "services", true, ObjectNode.class);
    static final ResourceKind<ObjectNode> SLICES = ResourceKind.of("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true,
            ObjectNode.class);
    static final long COALESCE_MILLIS = 20;
    static final long RESYNC_SECONDS = 2;

    private final Informer<ObjectNode> services;
    private final Informer<ObjectNode> slices;
    private final UserspaceProxy proxy;
    private final ScheduledExecutorService syncer = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("proxy-userspace-sync", true));
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile boolean listed;

    private final java.util.concurrent.CountDownLatch firstSync;
    private final String nodeName;

    /**
     * @param nodeName this node's name: endpoints on it are the local ones of {@code Local} traffic policies
     * @param firstSync counted down once the first sync (after both lists) has run
     */
    ClusterFeed(KubeClient client, UserspaceProxy proxy, String nodeName, java.util.concurrent.CountDownLatch firstSync) {
        this.nodeName = nodeName;
        this.firstSync = firstSync;
        this.services = new Informer<>(client.resources(SERVICES), Duration.ZERO);
        this.slices = new Informer<>(client.resources(SLICES), Duration.ZERO);
        this.proxy = proxy;
    }

    @Override
    public void start() throws Exception {
        services.addHandler(this);
        slices.addHandler(this);
        for (Informer<ObjectNode> informer : List.of(services, slices)) {
            informer.start();
        }
        for (Informer<ObjectNode> informer : List.of(services, slices)) {
            if (!informer.awaitSynced(Duration.ofSeconds(30))) {
                throw new IllegalStateException("proxy-userspace: informers did not list in 30 s");
            }
        }
        listed = true;
        syncer.scheduleWithFixedDelay(this::sync, 0, RESYNC_SECONDS, TimeUnit.SECONDS);
    }

    /** Informer threads: any Service or slice added, changed, resynced or deleted asks for one sync. */
    @Override
    public void onAdd(ObjectNode object) {
        requestSync();
    }

    @Override
    public void onUpdate(ObjectNode before, ObjectNode after) {
        requestSync();
    }

    @Override
    public void onDelete(ObjectNode lastKnown) {
        requestSync();
    }

    private void requestSync() {
        if (listed && pending.compareAndSet(false, true)) {
            try {
                syncer.schedule(this::sync, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // closed
            }
        }
    }

    private void sync() {
        pending.set(false);
        try {
            proxy.apply(ServiceTable.read(services.list(), slices.list(), nodeName));
            firstSync.countDown();
        } catch (RuntimeException e) {
            System.getLogger(ClusterFeed.class.getName()).log(System.Logger.Level.WARNING, "proxy-userspace: sync failed", e);
        }
    }

    @Override
    public void close() {
        syncer.shutdownNow();
        try {
            syncer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        services.close();
        slices.close();
    }
}
