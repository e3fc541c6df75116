package io.kubundle.dns.internal;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;

/** The UDP socket and the TCP listener on one address and port, answering through one {@link QueryHandler}. */
final class DnsServer implements AutoCloseable {
    /** A TCP client idle this long is disconnected (RFC 7766 suggests seconds). */
    private static final int TCP_IDLE_SECONDS = 10;

    private final EventLoopGroup group;
    private final InetSocketAddress address;
    private final QueryHandler handler;
    private volatile Channel udp;
    private volatile Channel tcp;

    DnsServer(EventLoopGroup group, InetSocketAddress address, QueryHandler handler) {
        this.group = group;
        this.address = address;
        this.handler = handler;
    }

    /** Binds both sockets; on failure, closes what was bound and throws. Idempotent once bound. */
    synchronized void bind() throws InterruptedException {
        if (isBound()) {
            return;
        }
        try {
            udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<NioDatagramChannel>() {
                        @Override
                        protected void initChannel(NioDatagramChannel channel) {
                            channel.pipeline().addLast(new DatagramDnsQueryDecoder(), new QueryHandler.TruncatingEncoder(), handler);
                        }
                    }).bind(address).sync().channel();
            tcp = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(new ReadTimeoutHandler(TCP_IDLE_SECONDS), new TcpDnsQueryDecoder(),
                                    new TcpDnsResponseEncoder(), handler);
                        }
                    }).bind(address).sync().channel();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    boolean isBound() {
        Channel u = udp;
        Channel t = tcp;
        return u != null && u.isActive() && t != null && t.isActive();
    }

    InetSocketAddress address() {
        return address;
    }

    /** Closes the sockets (not the event loops, which belong to the caller). */
    @Override
    public synchronized void close() {
        for (Channel channel : new Channel[] {udp, tcp}) {
            if (channel != null) {
                channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        udp = null;
        tcp = null;
    }
}
