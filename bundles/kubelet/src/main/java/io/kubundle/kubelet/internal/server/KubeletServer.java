package io.kubundle.kubelet.internal.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;

import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.kubelet.internal.server.PodContainers.LocatedContainer;

/**
 * The kubelet's HTTPS endpoint that the API server proxies {@code kubectl logs}, {@code exec},
 * {@code attach} and {@code port-forward} to, on Kubernetes' kubelet paths:
 * <ul>
 *   <li>{@code GET /containerLogs/NS/POD/CONTAINER?follow=&tailLines=&sinceSeconds=&sinceTime=&timestamps=&previous=&limitBytes=}:
 *       the log as {@code text/plain}, chunked ({@link ContainerLogs});</li>
 *   <li>{@code GET /exec/NS/POD/CONTAINER?command=..&command=..&input=1&output=1&error=1&tty=1} with
 *       {@code Upgrade: websocket}: the command's streams over the channel protocol
 *       ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}; {@link ExecChannel});</li>
 *   <li>{@code POST /portForward/NS/POD} with {@code Upgrade: SPDY/3.1}: port forwarding ({@link PortForwardSession})
 *       to connections {@link PodContainers#connect} opens;</li>
 *   <li>{@code GET /attach/NS/POD/CONTAINER?input=1&output=1&error=1&tty=1} with {@code Upgrade: websocket}:
 *       the container's own streams through its runtime's {@code attach}, over the channel protocol
 *       as exec ({@link ExecChannel}; a refusal, such as stdin of a container without
 *       {@code stdin: true}, is a 400 Status with the runtime's message); without {@code input} from a
 *       runtime that cannot attach, the container's output from now on, from its log ({@link AttachChannel});</li>
 *   <li>{@code GET /healthz}: {@code ok}.</li>
 * </ul>
 * Every client must present a certificate issued by the cluster CA with {@code system:masters}
 * among its organizations (the API server's {@code kube-apiserver-kubelet-client}); others get 403,
 * as a kubelet with webhook authorization answers a node or a user.
 *
 * <p>The constructor binds; {@link #close()} stops listening and ends open streams.
 */
public final class KubeletServer implements AutoCloseable {
    /** The organization (group) a client certificate must carry. */
    public static final String ALLOWED_GROUP = "system:masters";
    /** What {@code kubectl exec} may negotiate, in the server's order of preference. */
    static final List<String> CHANNEL_PROTOCOLS = List.of("v5.channel.k8s.io", "v4.channel.k8s.io");
    private static final int MAX_FRAME = 1 << 20;
    private static final String STREAM_PROTOCOL = "X-Stream-Protocol-Version";
    private static final String PORT_FORWARD_PROTOCOL = "portforward.k8s.io";
    /** The runtime's reasons for refusing an attach that are the client's to fix (400): the rest are the node's (500). */
    private static final Set<String> REFUSED_ATTACHES = Set.of("AttachError", "NotSupported", "ContainerNotRunning", "NotFound");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventLoopGroup group;
    private final ExecutorService workers;
    private final Channel channel;

    /**
     * Starts serving.
     *
     * @param bindAddress the address to listen on ({@code 0.0.0.0} for all)
     * @param port the port (10250 is the kubelet's; 0 picks a free one, see {@link #port()})
     * @param key the serving key
     * @param certificateChain its certificate first; it must name the address the API server dials
     *        (the Node's InternalIP) as an IP SAN
     * @param clusterCa the CA that client certificates must chain to
     * @param containers the kubelet's containers
     * @throws IOException if the port cannot be bound
     */
    public KubeletServer(String bindAddress, int port, PrivateKey key, List<X509Certificate> certificateChain,
            X509Certificate clusterCa, PodContainers containers) throws IOException, InterruptedException {
        this(bindAddress, port, key, certificateChain, clusterCa, containers, () -> { });
    }

    /**
     * As the public constructor; {@code afterUpgrade} runs on the worker that answered an exec's or
     * attach's upgrade, right after it did: a test slows it down, as a loaded machine or a cold JVM
     * does, to see that the client's first frames, which may come before the worker goes on, are kept.
     */
    KubeletServer(String bindAddress, int port, PrivateKey key, List<X509Certificate> certificateChain,
            X509Certificate clusterCa, PodContainers containers, Runnable afterUpgrade) throws IOException, InterruptedException {
        SslContext tls = SslContextBuilder.forServer(key, certificateChain.toArray(X509Certificate[]::new))
                .trustManager(clusterCa)
                .clientAuth(ClientAuth.REQUIRE)
                .sslProvider(SslProvider.JDK)
                .build();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kubundle-kubelet-io", true), NioIoHandler.newFactory());
        // log copies and exec streams block on files and pipes: never on the event loop
        AtomicInteger count = new AtomicInteger();
        workers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "kubundle-kubelet-stream-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                        ch.pipeline().addLast(new HttpServerCodec());
                        ch.pipeline().addLast(new HttpObjectAggregator(64 * 1024));
                        ch.pipeline().addLast(new Requests(containers, workers, afterUpgrade));
                    }
                });
        try {
            channel = bootstrap.bind(new InetSocketAddress(bindAddress, port)).sync().channel();
        } catch (RuntimeException | InterruptedException e) {
            close(group, workers);
            throw e;
        }
    }

    /** The port it listens on. */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        close(group, workers);
    }

    private static void close(EventLoopGroup group, ExecutorService workers) {
        // interrupts followed logs; exec sessions end as their connections close with the group
        workers.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final PodContainers containers;
        private final ExecutorService workers;
        private final Runnable afterUpgrade;

        Requests(PodContainers containers, ExecutorService workers, Runnable afterUpgrade) {
            this.containers = containers;
            this.workers = workers;
            this.afterUpgrade = afterUpgrade;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!allowed(ctx)) {
                text(ctx, HttpResponseStatus.FORBIDDEN, "Forbidden: the client certificate is not in group " + ALLOWED_GROUP);
                return;
            }
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            List<String> s = Arrays.stream(uri.path().split("/")).filter(part -> !part.isEmpty()).toList();
            Map<String, List<String>> query = uri.parameters();
            String route = s.isEmpty() ? "" : s.get(0);
            if (route.equals("healthz") && s.size() == 1) {
                text(ctx, HttpResponseStatus.OK, "ok");
            } else if (route.equals("containerLogs") && s.size() == 4 && request.method().equals(HttpMethod.GET)) {
                // finding the container reads the runtime's state, copying the log blocks: never on the event loop
                workers.execute(() -> logs(ctx, s.get(1), s.get(2), s.get(3), query));
            } else if ((route.equals("exec") || route.equals("attach")) && s.size() == 4) {
                request.retain();
                workers.execute(() -> {
                    try {
                        stream(ctx, request, s.get(1), s.get(2), s.get(3), query, route.equals("attach"));
                    } finally {
                        request.release();
                    }
                });
            } else if (route.equals("portForward") && s.size() == 3) {
                portForward(ctx, request, s.get(1), s.get(2));
            } else {
                text(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found");
            }
        }

        private void logs(ChannelHandlerContext ctx, String namespace, String pod, String container, Map<String, List<String>> query) {
            LogOptions options;
            try {
                options = LogOptions.parse(query, Clock.systemUTC());
            } catch (IllegalArgumentException e) {
                text(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
                return;
            }
            Optional<LocatedContainer> found = containers.find(namespace, pod, container, options.previous());
            if (found.isEmpty()) {
                text(ctx, HttpResponseStatus.BAD_REQUEST, options.previous()
                        ? "previous terminated container \"" + container + "\" in pod \"" + pod + "\" not found"
                        : "container \"" + container + "\" in pod \"" + pod + "\" is waiting to start");
                return;
            }
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            // the head goes out at once: a follow of a quiet container must not look like a hang
            ctx.writeAndFlush(head);
            try (ChannelOutput out = new ChannelOutput(ctx.channel(), bytes -> new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)))) {
                ContainerLogs.write(found.get(), options, out);
            } catch (IOException e) {
                // the client left, or the file went away: end the response
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }

        /** exec, or attach when {@code attach}: checked, then upgraded to the channel protocol. */
        private void stream(ChannelHandlerContext ctx, FullHttpRequest request, String namespace, String pod, String container,
                Map<String, List<String>> query, boolean attach) {
            List<String> command = query.getOrDefault("command", List.of());
            ExecChannel.Streams streams = new ExecChannel.Streams(LogOptions.flag(query, "input"), LogOptions.flag(query, "output"),
                    LogOptions.flag(query, "error"), LogOptions.flag(query, "tty"));
            String protocol = protocol(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
            String problem = command.isEmpty() && !attach ? "you must specify at least 1 command"
                    : !streams.any() ? "you must specify at least 1 of stdin, stdout, stderr"
                    : null;
            if (problem != null) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, problem);
                return;
            }
            Optional<LocatedContainer> found = containers.find(namespace, pod, container, false);
            if (found.isEmpty() || !found.get().running()) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "container \"" + container + "\" in pod \"" + pod + "\" is not running");
                return;
            }
            // the runtime's refusal (no stdin in the pod, say) is a check too
            Optional<ExecSession> attached;
            try {
                attached = attach ? attach(found.get(), streams) : Optional.empty();
            } catch (RuntimeFailure e) {
                refuse(ctx, REFUSED_ATTACHES.contains(e.reason()) ? HttpResponseStatus.BAD_REQUEST
                        : HttpResponseStatus.INTERNAL_SERVER_ERROR, e.getMessage());
                return;
            }
            // after the checks: kubectl retries over SPDY when WebSocket fails, and should hear the real reason both times
            String refusal = !"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))
                    ? "Upgrade request required: this kubelet speaks " + String.join(", ", CHANNEL_PROTOCOLS) + " over WebSocket"
                    : protocol == null ? "none of the requested protocols is supported; this kubelet speaks "
                            + String.join(", ", CHANNEL_PROTOCOLS)
                    : null;
            if (refusal != null) {
                attached.ifPresent(ExecSession::close);
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, refusal);
                return;
            }
            String location = "wss://" + request.headers().get(HttpHeaderNames.HOST) + request.uri();
            WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, protocol, false, MAX_FRAME)
                    .newHandshaker(request);
            if (handshaker == null) {
                attached.ifPresent(ExecSession::close);
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            boolean closeSignal = protocol.startsWith("v5.");
            SimpleChannelInboundHandler<?> handler = !attach ? ExecChannel.exec(found.get(), command, streams, closeSignal, workers)
                    : attached.isPresent() ? ExecChannel.attach(attached.get(), streams, closeSignal, workers)
                    : new AttachChannel(found.get(), streams.tty(), workers);
            // In the pipeline before the upgrade is answered: the client sends its first frames (kubectl its
            // stdin) as soon as it has the answer, maybe before this thread has gone on to add a listener
            // (a cold JVM, a loaded machine), and a frame that found no handler would be dropped. The
            // handler keeps what comes before it starts.
            ctx.pipeline().replace(this, "stream", handler);
            ChannelFuture upgraded = handshaker.handshake(ctx.channel(), request);
            afterUpgrade.run();
            upgraded.addListener((ChannelFuture done) -> {
                if (!done.isSuccess()) {
                    done.channel().close();
                    attached.ifPresent(ExecSession::close);
                    return;
                }
                if (handler instanceof ExecChannel session) {
                    session.start(done.channel());
                } else {
                    ((AttachChannel) handler).start(done.channel());
                }
            });
        }

        /**
         * The runtime's attach; empty when the runtime cannot attach and no stdin is asked, which the
         * container's log then serves ({@link AttachChannel}).
         */
        private static Optional<ExecSession> attach(LocatedContainer container, ExecChannel.Streams streams) throws RuntimeFailure {
            try {
                return Optional.of(container.runtime().attach(container.containerId(), streams.stdin(), streams.tty()));
            } catch (RuntimeFailure e) {
                if (e.reason().equals("NotSupported") && !streams.stdin()) {
                    return Optional.empty();
                }
                throw e;
            }
        }

        /**
         * Port forwarding over SPDY/3.1 ({@code portforward.k8s.io}), as the kubelet serves it; kubectl 1.32
         * asks for WebSocket first and falls back to this when refused.
         */
        private void portForward(ChannelHandlerContext ctx, FullHttpRequest request, String namespace, String pod) {
            boolean spdy = "SPDY/3.1".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE));
            if (!spdy || !request.headers().getAll(STREAM_PROTOCOL).contains(PORT_FORWARD_PROTOCOL)) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "port forwarding is served over SPDY/3.1 with " + STREAM_PROTOCOL + ": "
                        + PORT_FORWARD_PROTOCOL);
                return;
            }
            FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
            switching.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            switching.headers().set(HttpHeaderNames.UPGRADE, "SPDY/3.1");
            switching.headers().set(STREAM_PROTOCOL, PORT_FORWARD_PROTOCOL);
            // the encoder has written the answer when writeAndFlush returns: HTTP can leave the pipeline
            ctx.writeAndFlush(switching);
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.remove(HttpObjectAggregator.class);
            pipeline.replace(HttpServerCodec.class, "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
            pipeline.addAfter("spdy", "session", new SpdySessionHandler(SpdyVersion.SPDY_3_1, true));
            pipeline.replace(this, "forward", new PortForwardSession(containers, namespace, pod, workers));
        }

        /** The first protocol the client asks for that the server speaks. */
        private static String protocol(String requested) {
            if (requested == null) {
                return null;
            }
            return Arrays.stream(requested.split(",")).map(String::strip).filter(CHANNEL_PROTOCOLS::contains).findFirst().orElse(null);
        }

        private static boolean allowed(ChannelHandlerContext ctx) {
            try {
                Certificate[] chain = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerCertificates();
                if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                    return false;
                }
                for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("O") && ALLOWED_GROUP.equals(rdn.getValue().toString())) {
                        return true;
                    }
                }
                return false;
            } catch (SSLPeerUnverifiedException | InvalidNameException e) {
                return false;
            }
        }

        /**
         * An exec, attach or port-forward refused before its upgrade, as a {@code Status}: the API server
         * hands it to kubectl as it is, and kubectl reads an error body as a Status, YAML included, so a
         * plain "cannot attach to container c: the reason" would be a Status without a message (an empty error).
         */
        private static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
            ObjectNode refusal = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
            refusal.putObject("metadata");
            refusal.put("status", "Failure").put("message", message)
                    .put("reason", status.code() == 400 ? "BadRequest" : "InternalError").put("code", status.code());
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(refusal.toString(), StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private static void text(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a failed TLS handshake (no or a foreign client certificate) or a reset: nothing to answer
            ctx.close();
        }
    }
}
