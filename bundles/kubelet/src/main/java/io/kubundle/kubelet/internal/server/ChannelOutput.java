package io.kubundle.kubelet.internal.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Function;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * A stream whose every flush is one message on a channel (an HTTP chunk, a WebSocket message),
 * written before flush returns: a slow client slows the writer. Flush fails once the client has gone.
 */
final class ChannelOutput extends OutputStream {
    private final Channel channel;
    private final Function<byte[], Object> message;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    /** @param message makes the message that carries the bytes */
    ChannelOutput(Channel channel, Function<byte[], Object> message) {
        this.channel = channel;
        this.message = message;
    }

    @Override
    public void write(int b) {
        buffer.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        buffer.write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
        if (!channel.isActive()) {
            throw new IOException("the client has gone");
        }
        if (buffer.size() == 0) {
            return;
        }
        ChannelFuture written = channel.writeAndFlush(message.apply(buffer.toByteArray()));
        buffer.reset();
        if (!written.awaitUninterruptibly().isSuccess()) {
            throw new IOException("the client has gone", written.cause());
        }
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
