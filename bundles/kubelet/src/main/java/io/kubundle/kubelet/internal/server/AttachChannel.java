package io.kubundle.kubelet.internal.server;

import java.io.IOException;
import java.util.concurrent.ExecutorService;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import io.kubundle.kubelet.internal.server.PodContainers.LocatedContainer;

/**
 * {@code kubectl attach} without stdin to a container whose runtime cannot attach
 * ({@code NotSupported}), over the exec channel protocol: what the container prints from now on,
 * read from its CRI log (stdout on channel 1, stderr on channel 2, both on 1 with a terminal), until
 * it exits; then a Success status and a normal close. Stdin is refused before the upgrade.
 */
final class AttachChannel extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final LocatedContainer container;
    private final boolean tty;
    private final ExecutorService workers;

    AttachChannel(LocatedContainer container, boolean tty, ExecutorService workers) {
        this.container = container;
        this.tty = tty;
        this.workers = workers;
    }

    /** Starts streaming, once the handshake is done. */
    void start(Channel channel) {
        workers.execute(() -> {
            try {
                ContainerLogs.write(container, LogOptions.ATTACH, output(channel, ExecChannel.STDOUT),
                        output(channel, tty ? ExecChannel.STDOUT : ExecChannel.STDERR));
            } catch (IOException e) {
                // the client left
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            ExecChannel.end(channel, ExecChannel.status("Success", null, null, null));
        });
    }

    /** One channel of the protocol: one message per flush. */
    private static ChannelOutput output(Channel channel, byte stream) {
        return new ChannelOutput(channel, bytes -> ExecChannel.frame(stream, bytes, bytes.length));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        // the client sends only resizes and pings: there is no stdin here
        if (frame instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
