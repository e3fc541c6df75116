package io.kubundle.proxy.userspace.internal;

import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * One accepted client connection of a TCP frontend (the accepted channel starts with auto-read
 * off): connects to the endpoint the {@link Picker} chooses (another one, up to three tries, when
 * the connect fails), then copies bytes both ways, reading from one side only when the other has
 * taken the last write (back-pressure). Either side closing closes the other once its writes are
 * flushed. No endpoint: the client is reset at once (SO_LINGER 0), as a REJECT would refuse it.
 * Runs on the accepted channel's event loop; the upstream channel shares it.
 */
final class TcpRelay extends Pipe {
    static final int CONNECT_TIMEOUT_MILLIS = 3000;
    private static final int TRIES = 3;

    private final Picker picker;
    private final ChannelGroup connections;

    private final Runnable onNew;

    TcpRelay(Picker picker, ChannelGroup connections, Runnable onNew) {
        super(null);
        this.onNew = onNew;
        this.picker = picker;
        this.connections = connections;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connections.add(ctx.channel());
        onNew.run();
        connect(ctx.channel(), Math.min(TRIES, Math.max(1, picker.endpoints().size())));
    }

    private void connect(Channel client, int triesLeft) {
        InetSocketAddress endpoint = picker.choose(((InetSocketAddress) client.remoteAddress()).getAddress());
        if (endpoint == null) {
            reset(client);
            return;
        }
        Bootstrap bootstrap = new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false).option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new Pipe(client));
        bootstrap.connect(endpoint).addListener((ChannelFutureListener) done -> {
            if (!client.isActive()) {
                done.channel().close();
            } else if (done.isSuccess()) {
                peer = done.channel();
                connections.add(peer);
                client.read();
                peer.read();
            } else if (triesLeft > 1) {
                connect(client, triesLeft - 1);
            } else {
                reset(client);
            }
        });
    }

    /** Closes with an RST: the client sees "connection refused/reset" at once, not an empty answer. */
    static void reset(Channel client) {
        try {
            client.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException ignored) {
            // closed already
        }
        client.close();
    }

}
