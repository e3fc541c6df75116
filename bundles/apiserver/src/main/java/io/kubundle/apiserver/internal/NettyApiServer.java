package io.kubundle.apiserver.internal;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import io.kubundle.api.auth.Credentials;
import io.kubundle.api.auth.UserInfo;

/**
 * The HTTP(S) front of the API server on Netty. The event loop only parses and writes; every
 * request runs on the worker pool, since storage calls block, and watches stream from the
 * store's threads through {@link EventSink}.
 */
final class NettyApiServer {
    /** Decides who a request is from (empty: refuse with 401) from the client certificates and the Authorization header. */
    interface Authenticate {
        Optional<UserInfo> user(Credentials credentials);
    }

    private final EventLoopGroup group;
    private final Channel channel;

    NettyApiServer(String host, int port, SslContext ssl, ApiHandler handler, Authenticate authenticate, ExecutorService workers)
            throws InterruptedException, java.io.IOException {
        // named, so that a test can tell the server's threads are gone after it stops
        group = new MultiThreadIoEventLoopGroup(2, new io.netty.util.concurrent.DefaultThreadFactory("kubundle-api-io", true),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                // a swapped-in API server binds the same port while the old one still serves: no gap
                .option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast(new HttpServerCodec());
                        // answers 413 itself for bodies over the limit, before reading them
                        ch.pipeline().addLast(new HttpObjectAggregator(BodyDecoder.MAX_BODY_BYTES));
                        ch.pipeline().addLast(new RequestHandler(handler, authenticate, workers));
                    }
                });
        try {
            refuseAnotherProcessOnThePort(host, port);
            channel = bootstrap.bind(new InetSocketAddress(host, port)).sync().channel();
            holders(port(), +1);
        } catch (RuntimeException | InterruptedException | java.io.IOException e) {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * SO_REUSEPORT lets a swapped-in server share the port with the one it replaces, but it would
     * also let a second Kubundle process share it unnoticed. So a port no server of this process
     * holds must be free, as it would have to be without the option.
     */
    private static void refuseAnotherProcessOnThePort(String host, int port) throws java.io.IOException {
        if (port == 0 || System.getProperty(holderKey(port)) != null) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        } catch (java.net.BindException e) {
            throw new java.net.BindException("port " + port + " is in use by another process");
        }
    }

    /** Counts this process's servers on a port, JVM-wide: each bundle version has its own classes, not its own system properties. */
    private static void holders(int port, int change) {
        System.getProperties().compute(holderKey(port), (key, count) -> {
            int next = (count == null ? 0 : Integer.parseInt(count.toString())) + change;
            return next <= 0 ? null : Integer.toString(next);
        });
    }

    private static String holderKey(int port) {
        return "kubundle.apiserver.listening." + port;
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    void stop() {
        int port = port();
        channel.close().syncUninterruptibly();
        holders(port, -1);
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ApiHandler handler;
        private final Authenticate authenticate;
        private final ExecutorService workers;

        RequestHandler(ApiHandler handler, Authenticate authenticate, ExecutorService workers) {
            this.handler = handler;
            this.authenticate = authenticate;
            this.workers = workers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            byte[] body = ByteBufUtil.getBytes(request.content());
            Function<String, String> header = request.headers()::get;
            ApiRequest apiRequest = ApiRequest.of(request.method().name(), request.uri(), header, body);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            if (request.headers().contains(HttpHeaderNames.UPGRADE) && ApiHandler.isPodStream(apiRequest)) {
                proxyPodStream(ctx, request, apiRequest, tls);
                return;
            }
            if ("websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))) {
                // watches over WebSocket, as the fabric8 client makes them: upgrade here, while the request is alive
                upgrade(ctx, request, apiRequest, tls);
                return;
            }
            try {
                workers.execute(() -> serve(ctx, apiRequest, tls, keepAlive));
            } catch (RejectedExecutionException e) {
                write(ctx, ApiResponse.text(503, "the API server is shutting down"), false);
            }
        }

        /**
         * exec, attach and port-forward (WebSocket or SPDY): authenticated and authorized here,
         * then the connection is handed over to the pod's kubelet ({@link KubeletProxy#tunnel}),
         * which answers the upgrade, and this handler leaves the pipeline.
         */
        private void proxyPodStream(ChannelHandlerContext ctx, FullHttpRequest request, ApiRequest apiRequest, SslHandler tls) {
            String method = request.method().name();
            HttpHeaders headers = request.headers().copy();
            Map<String, List<String>> query = new QueryStringDecoder(request.uri()).parameters();
            // nothing more is read until the kubelet is there: what the client sends next is for it
            ctx.channel().config().setAutoRead(false);
            try {
                workers.execute(() -> {
                    Optional<UserInfo> user = authenticate.user(new Credentials(peerCertificates(tls),
                            apiRequest.header().apply("Authorization")));
                    try {
                        if (user.isEmpty()) {
                            throw new ApiException(401, "Unauthorized", "Unauthorized");
                        }
                        KubeletProxy.Target target = handler.podStreamTarget(apiRequest, query, user.get());
                        handler.kubelets().tunnel(ctx.channel(), target, method, headers, () -> {
                            ctx.pipeline().remove(HttpObjectAggregator.class);
                            ctx.pipeline().remove(HttpServerCodec.class);
                            ctx.pipeline().remove(this);
                        }).exceptionally(failure -> {
                            refuse(ctx, failure instanceof ApiException e ? e : ApiException.internal(failure.toString()));
                            return null;
                        });
                    } catch (ApiException e) {
                        refuse(ctx, e);
                    }
                });
            } catch (RejectedExecutionException e) {
                write(ctx, ApiResponse.text(503, "the API server is shutting down"), false);
            }
        }

        private static void refuse(ChannelHandlerContext ctx, ApiException failure) {
            write(ctx, new ApiResponse(failure.code(), "application/json", failure.toStatus().toString().getBytes(StandardCharsets.UTF_8)),
                    false);
        }

        private void serve(ChannelHandlerContext ctx, ApiRequest request, SslHandler tls, boolean keepAlive) {
            String path = request.path();
            boolean health = path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz") || path.equals("/version");
            Optional<UserInfo> user = authenticate.user(new Credentials(peerCertificates(tls), request.header().apply("Authorization")));
            if (user.isEmpty() && !health) {
                ApiException unauthorized = new ApiException(401, "Unauthorized", "Unauthorized");
                write(ctx, new ApiResponse(401, "application/json",
                        unauthorized.toStatus().toString().getBytes(StandardCharsets.UTF_8)), keepAlive);
                return;
            }
            ApiResponse response = handler.handle(request, user.orElseGet(UserInfo::anonymous), new ChunkedSink(ctx, keepAlive));
            if (response != null) {
                write(ctx, response, keepAlive);
            }
        }

        private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, ApiRequest apiRequest, SslHandler tls) {
            Optional<UserInfo> user = authenticate.user(new Credentials(peerCertificates(tls), apiRequest.header().apply("Authorization")));
            if (user.isEmpty()) {
                write(ctx, ApiResponse.text(401, "Unauthorized"), false);
                return;
            }
            String location = (tls != null ? "wss://" : "ws://") + request.headers().get(HttpHeaderNames.HOST) + request.uri();
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, "*", false,
                    BodyDecoder.MAX_BODY_BYTES).newHandshaker(request);
            if (handshaker == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            handshaker.handshake(ctx.channel(), request).addListener(done -> {
                if (!done.isSuccess()) {
                    ctx.close();
                    return;
                }
                ctx.pipeline().addLast(new WebSocketControl(handshaker));
                try {
                    workers.execute(() -> {
                        ApiResponse response = handler.handle(apiRequest, user.get(), new WebSocketSink(ctx));
                        if (response != null) {
                            // not a watch, or it failed before streaming: the reply as one message, then close
                            ctx.writeAndFlush(response.contentType().startsWith("application/json")
                                    ? new TextWebSocketFrame(Unpooled.wrappedBuffer(response.body()))
                                    : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(response.body())));
                            handshaker.close(ctx.channel(), new CloseWebSocketFrame());
                        }
                    });
                } catch (RejectedExecutionException e) {
                    ctx.close();
                }
            });
        }

        /** The client's certificate chain, empty without TLS or without a client certificate. */
        private static List<X509Certificate> peerCertificates(SslHandler tls) {
            if (tls == null) {
                return List.of();
            }
            try {
                List<X509Certificate> chain = new ArrayList<>();
                for (Certificate certificate : tls.engine().getSession().getPeerCertificates()) {
                    if (certificate instanceof X509Certificate x509) {
                        chain.add(x509);
                    }
                }
                return chain;
            } catch (SSLPeerUnverifiedException e) {
                return List.of();
            }
        }

        private static void write(ChannelHandlerContext ctx, ApiResponse response, boolean keepAlive) {
            FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()),
                    Unpooled.wrappedBuffer(response.body()));
            http.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
            http.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
            for (String warning : response.warnings()) {
                // RFC 7234 warn-code 299 ("miscellaneous persistent warning"), agent "-", a quoted text, as Kubernetes sends them
                http.headers().add(HttpHeaderNames.WARNING, "299 - \"" + warning.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
            }
            if (keepAlive) {
                http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(http);
            } else {
                ctx.writeAndFlush(http).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a client that resets or fails the TLS handshake: nothing to answer
            ctx.close();
        }
    }

    /** Answers pings and closes after the handshake; the client sends nothing else on a watch. */
    private static final class WebSocketControl extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final WebSocketServerHandshaker handshaker;

        WebSocketControl(WebSocketServerHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                handshaker.close(ctx.channel(), close.retain());
            } else if (frame instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            }
        }
    }

    /** Runs {@code done} once {@code written} completes, as a task of the channel's event loop (never on the caller's stack). */
    private static void whenWritten(ChannelHandlerContext ctx, ChannelFuture written, Consumer<Boolean> done) {
        if (written == null) {
            ctx.executor().execute(() -> done.accept(ctx.channel().isActive()));
            return;
        }
        written.addListener(future -> {
            try {
                ctx.executor().execute(() -> done.accept(future.isSuccess()));
            } catch (RejectedExecutionException e) {
                done.accept(false);
            }
        });
    }

    /** A watch over WebSocket: one message per event, text for JSON, binary for protobuf. */
    private static final class WebSocketSink implements EventSink {
        private final ChannelHandlerContext ctx;
        private volatile boolean binary;

        WebSocketSink(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void begin(String contentType) {
            // the handshake was the start
            binary = !contentType.startsWith("application/json");
        }

        @Override
        public boolean write(byte[] line) {
            if (!ctx.channel().isActive()) {
                return false;
            }
            ctx.writeAndFlush(message(line));
            return true;
        }

        private WebSocketFrame message(byte[] event) {
            return binary ? new BinaryWebSocketFrame(Unpooled.wrappedBuffer(event)) : new TextWebSocketFrame(Unpooled.wrappedBuffer(event));
        }

        @Override
        public void write(List<byte[]> lines, Consumer<Boolean> done) {
            // one message per event, as the client reads them; one flush for all
            ChannelFuture last = null;
            for (byte[] line : lines) {
                last = ctx.write(message(line));
            }
            ctx.flush();
            whenWritten(ctx, last, done);
        }

        @Override
        public void end() {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void onClientGone(Runnable action) {
            ctx.channel().closeFuture().addListener(future -> action.run());
        }
    }

    /** A watch's chunked response. */
    private static final class ChunkedSink implements EventSink {
        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;

        ChunkedSink(ChannelHandlerContext ctx, boolean keepAlive) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
        }

        @Override
        public void begin(String contentType) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.writeAndFlush(response);
        }

        @Override
        public boolean write(byte[] line) {
            if (!ctx.channel().isActive()) {
                return false;
            }
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(line)));
            return true;
        }

        @Override
        public void write(List<byte[]> lines, Consumer<Boolean> done) {
            // one chunk for all: one TLS record sequence and one flush, however many events
            ChannelFuture written = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(lines.toArray(byte[][]::new))));
            whenWritten(ctx, written, done);
        }

        @Override
        public void end() {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (keepAlive) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void onClientGone(Runnable action) {
            ctx.channel().closeFuture().addListener(future -> action.run());
        }
    }
}
