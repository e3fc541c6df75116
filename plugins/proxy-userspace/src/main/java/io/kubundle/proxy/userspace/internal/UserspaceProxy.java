package io.kubundle.proxy.userspace.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The proxy's core, without the API: {@link #apply} is given the whole table of frontends and
 * their ready endpoints and makes the sockets match it (level, not edge): a listener per frontend
 * on its cluster IP and on each of its external IPs (the addresses put on the {@link Addresses}
 * first) and on {@code 0.0.0.0} at its node port; listeners no longer wanted are closed and their
 * addresses removed; endpoints are
 * handed to each frontend's {@link Picker}. Connections already proxied are left alone by
 * {@code apply} (an endpoint that left keeps its open connections until they end); {@link #close}
 * closes them all. A listener that cannot bind (port taken) is logged and tried again by the next
 * {@code apply}.
 *
 * <p>{@code apply} and {@code close} are called from one thread at a time (the sync thread, then
 * deactivation); they block while binding and closing, so never call them on an event loop.
 */
final class UserspaceProxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UserspaceProxy.class.getName());

    /** Makes cluster and external IPs local addresses; {@link #NONE} for addresses that are local already (tests on 127.0.0.x). */
    interface Addresses extends AutoCloseable {
        Addresses NONE = new Addresses() {
            @Override
            public void sync(Set<String> ips) {
            }

            @Override
            public void close() {
            }
        };

        /** Makes exactly these IPv4 addresses local (level: whatever is missing is added, the rest removed). */
        void sync(Set<String> ips) throws IOException;

        /** Removes every address and whatever holds them. Idempotent. */
        @Override
        void close();
    }

    /**
     * A side-by-side swap for another version of this bundle binds the same addresses while the old
     * instance still serves: both accept until the old one closes (only sockets of this user can
     * share a port).
     */
    private static final ChannelOption<Boolean> REUSE_PORT = NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);

    private final EventLoopGroup group;
    private final Addresses addresses;
    private final boolean nodePorts;
    private final long udpIdleMillis;
    private final ChannelGroup connections = new DefaultChannelGroup("proxy-userspace", GlobalEventExecutor.INSTANCE);
    private final Map<String, Picker> pickers = new HashMap<>();
    private final Map<Frontend.Listener, Bound> listeners = new LinkedHashMap<>();
    private boolean closed;
    /** When the last new connection or UDP session began (nanoTime); 0: never. */
    private final java.util.concurrent.atomic.AtomicLong lastNew = new java.util.concurrent.atomic.AtomicLong();

    /** A bound socket and the picker (by {@link #pickerKey}) it serves. */
    private record Bound(Channel channel, String picker) {
    }

    UserspaceProxy(EventLoopGroup group, Addresses addresses, boolean nodePorts, long udpIdleMillis) {
        this.group = group;
        this.addresses = addresses;
        this.nodePorts = nodePorts;
        this.udpIdleMillis = udpIdleMillis;
    }

    /**
     * A frontend's listeners share one picker (one round robin, one affinity table) per set of
     * endpoints they use: all of them, or this node's only (a {@code Local} traffic policy).
     */
    private static String pickerKey(Frontend frontend, boolean localOnly) {
        return frontend.id() + "/" + frontend.protocol() + (localOnly ? "/local" : "");
    }

    /**
     * Makes the listeners match {@code table}; returns how many wanted listeners are not bound
     * (retried next time). A listener whose picker changes (its traffic policy did) is bound again:
     * its open connections stay, new ones may be refused for that moment.
     */
    synchronized int apply(Map<Frontend, ServiceTable.Backends> table) {
        if (closed) {
            return 0;
        }
        Map<Frontend.Listener, String> wanted = new LinkedHashMap<>();
        Set<String> wantedPickers = new HashSet<>();
        for (Map.Entry<Frontend, ServiceTable.Backends> entry : table.entrySet()) {
            Frontend frontend = entry.getKey();
            for (Frontend.Listener listener : frontend.listeners(nodePorts)) {
                boolean localOnly = frontend.localOnly(listener);
                String key = pickerKey(frontend, localOnly);
                if (wantedPickers.add(key)) {
                    pickers.computeIfAbsent(key, k -> new Picker(System::currentTimeMillis)).setEndpoints(entry.getValue().of(localOnly),
                            frontend.affinitySeconds());
                }
                // two services on one node port: the first keeps it (the API server does not allow it anyway)
                wanted.putIfAbsent(listener, key);
            }
        }
        // first close what goes, so a port moving from one service to another can be bound again
        for (var it = listeners.entrySet().iterator(); it.hasNext();) {
            var bound = it.next();
            if (!bound.getValue().picker().equals(wanted.get(bound.getKey()))) {
                bound.getValue().channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                it.remove();
                LOG.log(System.Logger.Level.DEBUG, "proxy-userspace: stopped listening on {0}", bound.getKey());
            }
        }
        pickers.keySet().retainAll(wantedPickers);
        Set<String> serviceIps = new TreeSet<>();
        for (Frontend.Listener listener : wanted.keySet()) {
            if (!listener.ip().equals("0.0.0.0")) {
                serviceIps.add(listener.ip());
            }
        }
        boolean addressesReady;
        try {
            addresses.sync(serviceIps);
            addressesReady = true;
        } catch (IOException | RuntimeException e) {
            addressesReady = false;
            LOG.log(System.Logger.Level.WARNING, "proxy-userspace: cannot put the cluster and external IPs on their link (trying again at the next"
                    + " sync): {0}", e.toString());
        }
        int failed = 0;
        for (Map.Entry<Frontend.Listener, String> entry : wanted.entrySet()) {
            Frontend.Listener listener = entry.getKey();
            if (listeners.containsKey(listener)) {
                continue;
            }
            if (!addressesReady && !listener.ip().equals("0.0.0.0")) {
                failed++;
                continue;
            }
            try {
                listeners.put(listener, new Bound(bind(listener, pickers.get(entry.getValue())), entry.getValue()));
                LOG.log(System.Logger.Level.DEBUG, "proxy-userspace: listening on {0} for {1}", listener, entry.getValue());
            } catch (IOException | RuntimeException e) {
                failed++;
                LOG.log(System.Logger.Level.WARNING, "proxy-userspace: cannot listen on {0} for {1} (trying again at the next sync): {2}",
                        listener, entry.getValue(), e.toString());
            }
        }
        return failed;
    }


    private Channel bind(Frontend.Listener listener, Picker picker) throws IOException {
        InetSocketAddress address = new InetSocketAddress(ServiceTable.literal(listener.ip()), listener.port());
        io.netty.channel.ChannelFuture bound;
        if (listener.protocol() == Frontend.Protocol.TCP) {
            bound = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true).option(REUSE_PORT, true).option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.AUTO_READ, false).childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(new TcpRelay(picker, connections, UserspaceProxy.this::noteNew));
                        }
                    }).bind(address);
        } else {
            bound = new Bootstrap().group(group).channel(NioDatagramChannel.class).option(REUSE_PORT, true)
                    .handler(new UdpRelay(picker, connections, udpIdleMillis, this::noteNew)).bind(address);
        }
        if (!bound.awaitUninterruptibly(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.channel().close();
            throw new IOException("bind " + listener + ": " + bound.cause());
        }
        return bound.channel();
    }

    private void noteNew() {
        lastNew.set(System.nanoTime());
    }

    /**
     * Waits until no new connection or UDP session has come for {@code quietMillis}, at most
     * {@code maxMillis}: in a swap, the proxy taking over (iptables rules DNAT before traffic
     * reaches these sockets) is in place once new connections stop coming here. Keeps serving
     * meanwhile. Returns the milliseconds waited.
     */
    long awaitQuiet(long quietMillis, long maxMillis) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        long quiet = TimeUnit.MILLISECONDS.toNanos(quietMillis);
        while (true) {
            long now = System.nanoTime();
            long last = lastNew.get();
            long quietFor = last == 0 ? Long.MAX_VALUE : now - last;
            if (quietFor >= quiet || now >= deadline) {
                break;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(quiet - quietFor, deadline - now));
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    synchronized Set<Frontend.Listener> listening() {
        return Set.copyOf(listeners.keySet());
    }

    /** Open proxied connections and UDP sessions (both sides count). */
    int connections() {
        return connections.size();
    }

    /** Closes every listener and every proxied connection, then takes the addresses away. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Bound bound : listeners.values()) {
            bound.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        listeners.clear();
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        addresses.close();
    }
}
