package io.kubundle.proxy.userspace.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Copies what one channel reads to its peer (read one message, write it, read the next once
 * written) and closes the peer, after its pending writes, when its own channel closes. The
 * endpoint side has the client as peer from the start; the client side gets the endpoint once
 * connected.
 */
class Pipe extends ChannelInboundHandlerAdapter {
    protected Channel peer;

    Pipe(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        forward(ctx, peer, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAfterFlush(peer);
    }

    /**
     * Half-close (the channels allow it): this side sent FIN, so the peer's output is shut down
     * once what it has to write is flushed (an HTTP/1.0 client that shuts its output after the
     * request still gets the answer). A side closes once both its directions are shut.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (!(event instanceof ChannelInputShutdownEvent)) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        SocketChannel self = (SocketChannel) ctx.channel();
        if (self.isOutputShutdown()) {
            self.close();
        }
        if (peer instanceof SocketChannel other && other.isActive()) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed -> other.shutdownOutput()
                    .addListener(shut -> {
                        if (other.isInputShutdown()) {
                            other.close();
                        }
                    }));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    static void forward(ChannelHandlerContext from, Channel to, Object msg) {
        if (to == null || !to.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        to.writeAndFlush(msg).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                from.channel().read();
            } else {
                written.channel().close();
                from.channel().close();
            }
        });
    }

    static void closeAfterFlush(Channel channel) {
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
