package io.kubundle.dns.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.dns.DnsRecordType;

/**
 * Asks upstream servers, in order, until one answers: over UDP from a fresh socket (a random
 * source port and id per query), again over TCP when the UDP answer is truncated. The future
 * completes with the reply's bytes (the caller releases them), or fails when every server
 * failed or timed out. Non-blocking: everything runs on the event loop.
 */
final class Forwarder {
    /** The UDP payload size announced upstream: large answers come whole over UDP when the path allows. */
    private static final int UDP_SIZE = 4096;

    private final EventLoopGroup group;
    private final List<InetSocketAddress> upstreams;
    private final long timeoutMillis;

    Forwarder(EventLoopGroup group, List<InetSocketAddress> upstreams, Duration timeout) {
        this.group = group;
        this.upstreams = List.copyOf(upstreams);
        this.timeoutMillis = timeout.toMillis();
    }

    List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    CompletableFuture<ByteBuf> forward(String name, DnsRecordType type) {
        CompletableFuture<ByteBuf> result = new CompletableFuture<>();
        if (upstreams.isEmpty()) {
            result.completeExceptionally(new IllegalStateException("no upstream DNS server"));
        } else {
            tryFrom(0, name, type, result);
        }
        return result;
    }

    private void tryFrom(int index, String name, DnsRecordType type, CompletableFuture<ByteBuf> result) {
        InetSocketAddress upstream = upstreams.get(index);
        udp(upstream, name, type).thenCompose(reply -> {
            if (!Wire.isTruncated(reply)) {
                return CompletableFuture.completedFuture(reply);
            }
            reply.release();
            return tcp(upstream, name, type);
        }).whenComplete((reply, failure) -> {
            if (failure == null) {
                result.complete(reply);
            } else if (index + 1 < upstreams.size()) {
                tryFrom(index + 1, name, type, result);
            } else {
                result.completeExceptionally(failure);
            }
        });
    }

    private CompletableFuture<ByteBuf> udp(InetSocketAddress upstream, String name, DnsRecordType type) {
        CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        ByteBuf content = packet.content();
                        // anything not from the server or not our reply is ignored (spoofing, late replies)
                        if (packet.sender().equals(upstream) && Wire.isResponse(content) && Wire.id(content) == id) {
                            settle(reply, content.retain());
                        }
                    }
                });
        ChannelFuture bound = bootstrap.bind(0);
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                reply.completeExceptionally(f.cause());
                return;
            }
            Channel channel = bound.channel();
            channel.writeAndFlush(new DatagramPacket(Wire.query(id, name, type, UDP_SIZE), upstream)).addListener(w -> {
                if (!w.isSuccess()) {
                    reply.completeExceptionally(w.cause());
                }
            });
            closeWhenDone(channel, reply, upstream, "UDP");
        });
        return reply;
    }

    private CompletableFuture<ByteBuf> tcp(InetSocketAddress upstream, String name, DnsRecordType type) {
        CompletableFuture<ByteBuf> reply = new CompletableFuture<>();
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2),
                                new SimpleChannelInboundHandler<ByteBuf>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf message) {
                                        if (Wire.isResponse(message) && Wire.id(message) == id) {
                                            settle(reply, message.retain());
                                        }
                                    }
                                });
                    }
                });
        ChannelFuture connected = bootstrap.connect(upstream);
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                reply.completeExceptionally(f.cause());
                return;
            }
            ByteBuf query = Wire.query(id, name, type, UDP_SIZE);
            ByteBuf framed = Unpooled.wrappedBuffer(Unpooled.buffer(2).writeShort(query.readableBytes()), query);
            connected.channel().writeAndFlush(framed);
            closeWhenDone(connected.channel(), reply, upstream, "TCP");
        });
        return reply;
    }

    /** Completes the reply, or releases the bytes when it was settled already (a timeout, a duplicate). */
    private static void settle(CompletableFuture<ByteBuf> reply, ByteBuf bytes) {
        if (!reply.complete(bytes)) {
            bytes.release();
        }
    }

    /** Fails the reply after the timeout, and closes the channel once the reply is settled either way. */
    private void closeWhenDone(Channel channel, CompletableFuture<ByteBuf> reply, InetSocketAddress upstream, String transport) {
        var timer = channel.eventLoop().schedule(
                () -> reply.completeExceptionally(new TimeoutException(upstream + " did not answer over " + transport + " in "
                        + timeoutMillis + " ms")), timeoutMillis, TimeUnit.MILLISECONDS);
        reply.whenComplete((r, e) -> {
            timer.cancel(false);
            channel.close();
        });
        channel.closeFuture().addListener(c -> reply.completeExceptionally(new IllegalStateException(upstream + " closed the "
                + transport + " connection")));
    }
}
