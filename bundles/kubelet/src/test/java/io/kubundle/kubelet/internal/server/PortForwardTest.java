package io.kubundle.kubelet.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/** Port forwarding as kubectl's SPDY client drives it: an error and a data stream per connection. */
class PortForwardTest {
    @TempDir
    Path dir;

    /** What came back on each stream, complete once the data stream ended. */
    private static final class Streams extends SimpleChannelInboundHandler<SpdyFrame> {
        final ConcurrentHashMap<Integer, StringBuilder> text = new ConcurrentHashMap<>();
        final CompletableFuture<Void> dataEnded = new CompletableFuture<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, SpdyFrame frame) {
            if (frame instanceof SpdyDataFrame data) {
                text.computeIfAbsent(data.streamId(), id -> new StringBuilder()).append(data.content().toString(StandardCharsets.UTF_8));
                if (data.isLast() && data.streamId() == 3) {
                    dataEnded.complete(null);
                }
            }
        }
    }

    private static SpdySynStreamFrame open(int stream, String type, int port) {
        SpdySynStreamFrame frame = new DefaultSpdySynStreamFrame(stream, 0, (byte) 0);
        frame.headers().set("streamtype", type).set("port", Integer.toString(port)).set("requestid", "0");
        return frame;
    }

    private static SpdyDataFrame data(int stream, String text) {
        SpdyDataFrame frame = new DefaultSpdyDataFrame(stream, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        frame.setLast(true);
        return frame;
    }

    /** Upgrades to SPDY as kubectl does, opens the two streams, sends {@code sent} and half-closes; returns the streams' text. */
    private Streams forward(KubeletServer server, TestPki pki, int port, String sent) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Streams streams = new Streams();
            CompletableFuture<Channel> upgraded = new CompletableFuture<>();
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new io.netty.channel.ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) throws Exception {
                    ch.pipeline().addLast(SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(pki.ca)
                            .keyManager(pki.apiServerClient.key(), pki.apiServerClient.certificate()).build()
                            .newHandler(ch.alloc(), "127.0.0.1", server.port()));
                    ch.pipeline().addLast("http", new HttpClientCodec());
                    ch.pipeline().addLast("upgrade", new SimpleChannelInboundHandler<HttpObject>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
                            if (message instanceof HttpResponse response) {
                                assertEquals(101, response.status().code());
                                ctx.pipeline().replace("http", "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
                                ctx.pipeline().replace("upgrade", "session", new SpdySessionHandler(SpdyVersion.SPDY_3_1, false));
                                ctx.pipeline().addLast(streams);
                                upgraded.complete(ctx.channel());
                            }
                        }
                    });
                }
            }).connect("127.0.0.1", server.port()).sync().channel();
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/portForward/default/web");
            request.headers().set("Host", "127.0.0.1").set("Connection", "Upgrade").set("Upgrade", "SPDY/3.1")
                    .set("X-Stream-Protocol-Version", "portforward.k8s.io");
            channel.writeAndFlush(request);
            upgraded.get(10, TimeUnit.SECONDS);
            channel.writeAndFlush(open(1, "error", port));
            // kubectl half-closes the error stream at once: it only reads it
            channel.writeAndFlush(data(1, ""));
            channel.writeAndFlush(open(3, "data", port));
            channel.writeAndFlush(data(3, sent));
            streams.dataEnded.get(10, TimeUnit.SECONDS);
            return streams;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void bytesGoBothWaysAndARefusedPortIsReportedOnTheErrorStream() throws Exception {
        TestPki pki = new TestPki(dir);
        try (KubeletServer server = new KubeletServer("127.0.0.1", 0, pki.server.key(), java.util.List.of(pki.server.certificate()),
                pki.ca, new LocalProcesses()); ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket connection = echo.accept()) {
                    String line = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    connection.getOutputStream().write(("echo: " + line + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the test fails on what it reads
                }
            });
            Streams forwarded = forward(server, pki, echo.getLocalPort(), "ping\n");
            assertEquals("echo: ping\n", forwarded.text.get(3).toString());

            int closed;
            try (ServerSocket probe = new ServerSocket(0)) {
                closed = probe.getLocalPort();
            }
            Streams refused = forward(server, pki, closed, "");
            assertEquals("error forwarding port " + closed + " to pod default/web: Connection refused", refused.text.get(1).toString());
        }
    }
}
