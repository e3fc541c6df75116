package io.kubundle.proxy.userspace.internal;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * The handler of one UDP frontend socket. Each client address gets a session: a socket of its own
 * connected to the endpoint the {@link Picker} chose for the client's first datagram; later
 * datagrams of the client go there, the endpoint's answers go back to the client from the
 * frontend's address. A session with no traffic either way for {@code idleMillis} is closed (the
 * next datagram chooses again). No endpoint: datagrams are dropped. Sessions live on the
 * frontend's event loop, so the map needs no lock.
 */
final class UdpRelay extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Picker picker;
    private final ChannelGroup connections;
    private final long idleMillis;
    private final Map<InetSocketAddress, ChannelFuture> sessions = new HashMap<>();

    private final Runnable onNew;

    UdpRelay(Picker picker, ChannelGroup connections, long idleMillis, Runnable onNew) {
        this.onNew = onNew;
        this.picker = picker;
        this.connections = connections;
        this.idleMillis = idleMillis;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        InetSocketAddress client = packet.sender();
        ChannelFuture session = sessions.get(client);
        if (session == null) {
            onNew.run();
            InetSocketAddress endpoint = picker.choose(client.getAddress());
            if (endpoint == null) {
                return;
            }
            session = open(ctx.channel(), client, endpoint);
        }
        ByteBuf data = packet.content().retain();
        session.addListener((ChannelFutureListener) opened -> {
            if (opened.isSuccess() && opened.channel().isActive()) {
                opened.channel().writeAndFlush(data);
            } else {
                data.release();
            }
        });
    }

    private ChannelFuture open(Channel frontend, InetSocketAddress client, InetSocketAddress endpoint) {
        Bootstrap bootstrap = new Bootstrap().group(frontend.eventLoop()).channel(NioDatagramChannel.class)
                .handler(new io.netty.channel.ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel channel) {
                        channel.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS),
                                new Answers(frontend, client));
                    }
                });
        ChannelFuture session = bootstrap.connect(endpoint);
        sessions.put(client, session);
        connections.add(session.channel());
        session.channel().closeFuture().addListener(closed -> frontend.eventLoop().execute(() -> sessions.remove(client, session)));
        return session;
    }

    int sessions() {
        return sessions.size();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (ChannelFuture session : sessions.values()) {
            session.channel().close();
        }
    }

    /** One session's socket: the endpoint's answers back to the client; closes when idle. */
    private static final class Answers extends ChannelInboundHandlerAdapter {
        private final Channel frontend;
        private final InetSocketAddress client;

        Answers(Channel frontend, InetSocketAddress client) {
            this.frontend = frontend;
            this.client = client;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket answer = (DatagramPacket) msg;
            if (frontend.isActive()) {
                frontend.writeAndFlush(new DatagramPacket(answer.content(), client));
            } else {
                answer.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // an ICMP port unreachable from the endpoint, say: the session stays until idle
        }
    }
}
