package io.kubundle.kubelet.internal.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;

/**
 * One {@code kubectl port-forward} connection to the kubelet, in Kubernetes' SPDY protocol
 * ({@code portforward.k8s.io}): for each connection it accepts, kubectl opens an {@code error}
 * stream and a {@code data} stream with the same {@code requestID} and the pod's {@code port}. The
 * data stream carries the bytes both ways; a failure is written to the error stream as text, which
 * kubectl prints. The connection to the pod's port comes from {@link PodContainers#connect}.
 */
final class PortForwardSession extends SimpleChannelInboundHandler<SpdyFrame> {
    private static final byte[] END_OF_INPUT = new byte[0];

    private final PodContainers containers;
    private final String namespace;
    private final String pod;
    private final ExecutorService workers;
    private final Map<String, Forward> byRequest = new ConcurrentHashMap<>();
    private final Map<Integer, Forward> byDataStream = new ConcurrentHashMap<>();

    PortForwardSession(PodContainers containers, String namespace, String pod, ExecutorService workers) {
        this.containers = containers;
        this.namespace = namespace;
        this.pod = pod;
        this.workers = workers;
    }

    /** One forwarded connection: its two streams, and what the client sent before the pod's port answered. */
    private final class Forward {
        final BlockingQueue<byte[]> toPod = new LinkedBlockingQueue<>();
        volatile int errorStream;
        volatile int dataStream;
        volatile int port;
        volatile SocketChannel socket;

        boolean complete() {
            return errorStream != 0 && dataStream != 0;
        }

        /** Connects to the pod, then copies both ways until either side ends; failures go to the error stream. */
        void run(Channel channel) {
            try {
                socket = containers.connect(namespace, pod, port);
            } catch (IOException | RuntimeException e) {
                String message = "error forwarding port " + port + " to pod " + namespace + "/" + pod + ": " + e.getMessage();
                channel.writeAndFlush(data(errorStream, message.getBytes(StandardCharsets.UTF_8), true));
                channel.writeAndFlush(data(dataStream, new byte[0], true));
                return;
            }
            workers.execute(this::copyToPod);
            ByteBuffer buffer = ByteBuffer.allocate(32 * 1024);
            try {
                while (socket.read(buffer.clear()) >= 0) {
                    ChannelFuture written = channel.writeAndFlush(data(dataStream, java.util.Arrays.copyOf(buffer.array(),
                            buffer.position()), false));
                    // a slow client slows the pod's sender, as a socket would
                    if (!written.awaitUninterruptibly().isSuccess()) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the pod's side closed or was reset: the stream ends
            }
            channel.writeAndFlush(data(dataStream, new byte[0], true));
            channel.writeAndFlush(data(errorStream, new byte[0], true));
            close();
        }

        private void copyToPod() {
            try {
                for (byte[] bytes; (bytes = toPod.take()) != END_OF_INPUT; ) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        socket.write(buffer);
                    }
                }
                socket.shutdownOutput();
            } catch (IOException e) {
                // the pod's side is gone: the read side ends the stream
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void close() {
            byDataStream.remove(dataStream);
            toPod.offer(END_OF_INPUT);
            SocketChannel open = socket;
            if (open != null) {
                try {
                    open.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    private static SpdyDataFrame data(int stream, byte[] bytes, boolean last) {
        SpdyDataFrame frame = new DefaultSpdyDataFrame(stream, Unpooled.wrappedBuffer(bytes));
        frame.setLast(last);
        return frame;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SpdyFrame frame) {
        if (frame instanceof SpdySynStreamFrame open) {
            String type = open.headers().getAsString("streamtype");
            DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(open.streamId());
            // Netty leaves out an empty header block, which Go's framer cannot read: the reply echoes the type
            reply.headers().set("streamtype", String.valueOf(type));
            ctx.writeAndFlush(reply);
            String request = open.headers().getAsString("requestid");
            int port;
            try {
                port = Integer.parseInt(String.valueOf(open.headers().getAsString("port")));
            } catch (NumberFormatException e) {
                ctx.writeAndFlush(data(open.streamId(), "invalid port".getBytes(StandardCharsets.UTF_8), true));
                return;
            }
            Forward forward = byRequest.computeIfAbsent(String.valueOf(request), key -> new Forward());
            forward.port = port;
            if ("error".equals(type)) {
                forward.errorStream = open.streamId();
            } else if ("data".equals(type)) {
                forward.dataStream = open.streamId();
                byDataStream.put(open.streamId(), forward);
            }
            if (forward.complete()) {
                byRequest.remove(String.valueOf(request));
                workers.execute(() -> forward.run(ctx.channel()));
            }
        } else if (frame instanceof SpdyDataFrame data) {
            Forward forward = byDataStream.get(data.streamId());
            if (forward == null) {
                return;
            }
            if (data.content().isReadable()) {
                forward.toPod.offer(ByteBufUtil.getBytes(data.content()));
            }
            if (data.isLast()) {
                forward.toPod.offer(END_OF_INPUT);
            }
        } else if (frame instanceof SpdyRstStreamFrame reset) {
            Forward forward = byDataStream.remove(reset.streamId());
            if (forward != null) {
                forward.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        byDataStream.values().forEach(Forward::close);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
