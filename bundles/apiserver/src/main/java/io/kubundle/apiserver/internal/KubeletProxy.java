package io.kubundle.apiserver.internal;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

/**
 * {@code pods/log}, {@code pods/exec}, {@code pods/attach} and {@code pods/portforward}, proxied to
 * the kubelet of the pod's node as kube-apiserver does: HTTPS to the Node's InternalIP (else
 * ExternalIP, else Hostname) on {@code status.daemonEndpoints.kubeletEndpoint.Port} (10250 when
 * unset), with the API server's kubelet client certificate, trusting the kubelet's serving
 * certificate through the cluster CA and checking that it names that address. A log is read as
 * a chunked response and streamed on; exec, attach and port-forward are upgrades whose bytes are
 * relayed both ways once the kubelet has the request, so that the client and the kubelet
 * negotiate the protocol between them.
 */
final class KubeletProxy {
    static final int DEFAULT_KUBELET_PORT = 10250;
    static final List<String> STREAMS = List.of("exec", "attach", "portforward");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a log request waits for the kubelet's answer to start. */
    private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(30);
    /** The log parameters kube-apiserver passes on (PodLogOptions). */
    private static final List<String> LOG_PARAMETERS = List.of("follow", "previous", "timestamps", "sinceSeconds", "sinceTime",
            "tailLines", "limitBytes");
    /** Headers that are the API server's business, not the kubelet's. */
    private static final List<String> NOT_FORWARDED = List.of("host", "authorization", "content-length", "transfer-encoding");

    private final Resources resources;
    private final ResourceTypes types;
    private final SslContext tls;
    private final EventLoopGroup group;

    /**
     * @param tls a client context with the kubelet client certificate ({@link #clientTls})
     * @param group the event loop for log requests (an upgrade uses its client connection's)
     */
    KubeletProxy(Resources resources, ResourceTypes types, SslContext tls, EventLoopGroup group) {
        this.resources = resources;
        this.types = types;
        this.tls = tls;
        this.group = group;
    }

    /** TLS as the kubelets' client: this key and chain, trusting what the cluster CA issued. */
    static SslContext clientTls(PrivateKey key, List<X509Certificate> chain, X509Certificate ca) throws SSLException {
        return SslContextBuilder.forClient().keyManager(key, chain.toArray(X509Certificate[]::new)).trustManager(ca)
                .sslProvider(SslProvider.JDK).build();
    }

    /**
     * Where a request for a pod's subresource goes.
     *
     * @param path the kubelet path and query ({@code /exec/NS/POD/CONTAINER?command=ls&output=1})
     */
    record Target(String host, int port, String path) {
        String url() {
            return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path;
        }
    }

    /**
     * The kubelet URL of a pod's {@code log}, {@code exec}, {@code attach} or {@code portforward}
     * for the client's parameters.
     *
     * @throws ApiException 404 for an unknown pod, 400 for a container that is not the pod's or
     *         a pod not yet scheduled, as Kubernetes answers
     */
    Target target(String namespace, String name, String subresource, Map<String, List<String>> query) throws ApiException {
        ObjectNode pod = resources.get(types.byResource("", "v1", "pods").orElseThrow(), namespace, name);
        String kubeletPath;
        if (subresource.equals("portforward")) {
            kubeletPath = "/portForward/" + namespace + "/" + name + query(List.of(List.of("ports", "port")), query);
        } else {
            String container = container(pod, name, first(query, "container"));
            String prefix = "/" + (subresource.equals("log") ? "containerLogs" : subresource) + "/" + namespace + "/" + name + "/" + container;
            kubeletPath = prefix + (subresource.equals("log") ? query(LOG_PARAMETERS.stream().map(p -> List.of(p, p)).toList(), query)
                    : streamQuery(subresource, query));
        }
        String nodeName = pod.path("spec").path("nodeName").asText("");
        if (nodeName.isEmpty()) {
            throw ApiException.badRequest("pod " + name + " does not have a host assigned");
        }
        JsonNode node = resources.get(types.byResource("", "v1", "nodes").orElseThrow(), null, nodeName);
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        return new Target(address(node), port > 0 ? port : DEFAULT_KUBELET_PORT, kubeletPath);
    }

    /** The container asked for, or the pod's only one; 400 as Kubernetes words it otherwise. */
    private static String container(ObjectNode pod, String name, String asked) throws ApiException {
        List<String> containers = names(pod.path("spec").path("containers"));
        List<String> init = names(pod.path("spec").path("initContainers"));
        if (asked == null || asked.isEmpty()) {
            if (containers.size() == 1) {
                return containers.get(0);
            }
            throw ApiException.badRequest("a container name must be specified for pod " + name + ", choose one of: "
                    + brackets(containers) + (init.isEmpty() ? "" : " or one of the init containers: " + brackets(init)));
        }
        if (containers.contains(asked) || init.contains(asked) || names(pod.path("spec").path("ephemeralContainers")).contains(asked)) {
            return asked;
        }
        throw ApiException.badRequest("container " + asked + " is not valid for pod " + name);
    }

    private static List<String> names(JsonNode containers) {
        List<String> names = new ArrayList<>();
        containers.forEach(container -> names.add(container.path("name").asText()));
        return names;
    }

    /** Go's fmt of a string slice: {@code [a b]}. */
    private static String brackets(List<String> names) {
        return "[" + String.join(" ", names) + "]";
    }

    private static String address(JsonNode node) throws ApiException {
        List<String> known = new ArrayList<>();
        for (String type : List.of("InternalIP", "ExternalIP", "Hostname")) {
            for (JsonNode address : node.path("status").path("addresses")) {
                if (type.equals(address.path("type").asText()) && !address.path("address").asText("").isEmpty()) {
                    return address.path("address").asText();
                }
                known.add(address.toString());
            }
        }
        throw ApiException.internal("no preferred addresses found for node " + node.path("metadata").path("name").asText()
                + "; known addresses: " + known);
    }

    /** exec and attach: PodExecOptions / PodAttachOptions under the kubelet's names (its flags take {@code true} as well as {@code 1}). */
    private static String streamQuery(String subresource, Map<String, List<String>> query) {
        List<List<String>> renames = new ArrayList<>();
        if (subresource.equals("exec")) {
            renames.add(List.of("command", "command"));
        }
        renames.addAll(List.of(List.of("stdin", "input"), List.of("stdout", "output"), List.of("stderr", "error"), List.of("tty", "tty")));
        return query(renames, query);
    }

    /** The parameters named by each pair's first element, under its second name, every value kept, in order. */
    private static String query(List<List<String>> renames, Map<String, List<String>> query) {
        StringBuilder out = new StringBuilder();
        for (List<String> rename : renames) {
            for (String value : query.getOrDefault(rename.get(0), List.of())) {
                out.append(out.length() == 0 ? "?" : "&").append(rename.get(1)).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        return out.toString();
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static ApiException unreachable(Target target, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new ApiException(500, "InternalError", "Get \"" + target.url() + "\": " + root.getMessage());
    }

    /** A TLS handler that checks the kubelet's certificate names the address dialled. */
    private SslHandler tls(Channel channel, Target target) {
        SSLEngine engine = tls.newEngine(channel.alloc(), target.host(), target.port());
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return new SslHandler(engine);
    }

    /**
     * Streams the kubelet's log answer into {@code sink}: returns once it has started (the caller
     * returns null, as for a watch), or throws the kubelet's refusal as a Status: 400 and 404 with
     * its message, anything else, or no answer, as 500.
     */
    void logs(Target target, EventSink sink) throws ApiException {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls(ch, target), new HttpClientCodec(), new LogRelay(target, sink, started));
                    }
                });
        bootstrap.connect(target.host(), target.port()).addListener((ChannelFutureListener) connected -> {
            if (!connected.isSuccess()) {
                started.completeExceptionally(unreachable(target, connected.cause()));
                return;
            }
            Channel channel = connected.channel();
            sink.onClientGone(channel::close);
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target.path());
            request.headers().set(HttpHeaderNames.HOST, target.host() + ":" + target.port());
            channel.writeAndFlush(request);
        });
        try {
            started.get(HEAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ApiException refused ? refused : unreachable(target, e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(target, new TimeoutException("no answer within " + HEAD_TIMEOUT.toSeconds() + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.internal("interrupted");
        }
    }

    /** A log answer: streamed on when it is 200, read whole and turned into an error otherwise. */
    private static final class LogRelay extends SimpleChannelInboundHandler<HttpObject> {
        private final Target target;
        private final EventSink sink;
        private final CompletableFuture<Void> started;
        private final ByteArrayOutputStream refusal = new ByteArrayOutputStream();
        private int status;

        LogRelay(Target target, EventSink sink, CompletableFuture<Void> started) {
            this.target = target;
            this.sink = sink;
            this.started = started;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpResponse response) {
                status = response.status().code();
                if (status == 200) {
                    sink.begin("text/plain");
                    started.complete(null);
                }
            }
            if (!(message instanceof HttpContent content)) {
                return;
            }
            byte[] bytes = ByteBufUtil.getBytes(content.content());
            if (status != 200) {
                refusal.writeBytes(bytes);
            } else if (bytes.length > 0) {
                // read on once the client has it: a slow reader slows the kubelet, not our heap
                ctx.channel().config().setAutoRead(false);
                sink.write(List.of(bytes), written -> {
                    if (written) {
                        ctx.channel().config().setAutoRead(true);
                    } else {
                        ctx.close();
                    }
                });
            }
            if (content instanceof LastHttpContent) {
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (started.isDone()) {
                sink.end();
                return;
            }
            String text = refusal.toString(StandardCharsets.UTF_8).strip();
            started.completeExceptionally(switch (status) {
                case 0 -> unreachable(target, new java.io.IOException("the kubelet closed the connection"));
                case 400 -> ApiException.badRequest(text);
                case 404 -> new ApiException(404, "NotFound", text);
                default -> ApiException.internal("the kubelet answered " + status + ": " + text);
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            started.completeExceptionally(unreachable(target, cause));
            ctx.close();
        }
    }

    /**
     * Connects {@code client} to the kubelet: once TLS with the kubelet is up, {@code switchClient}
     * runs (it takes the client's HTTP handlers away), then the upgrade request goes to the kubelet
     * and bytes flow both ways, unread by this server, until either side closes. Everything after
     * the connect runs on the client channel's event loop. Fails with a Status before anything was
     * switched when the kubelet cannot be reached.
     */
    CompletableFuture<Void> tunnel(Channel client, Target target, String method, HttpHeaders headers, Runnable switchClient) {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls(ch, target));
                    }
                });
        bootstrap.connect(target.host(), target.port()).addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                connected.completeExceptionally(unreachable(target, done.cause()));
                return;
            }
            Channel kubelet = done.channel();
            kubelet.pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                if (!handshake.isSuccess()) {
                    kubelet.close();
                    connected.completeExceptionally(unreachable(target, handshake.cause()));
                    return;
                }
                switchClient.run();
                kubelet.pipeline().addLast(new Relay(client));
                client.pipeline().addLast(new Relay(kubelet));
                client.closeFuture().addListener(closed -> kubelet.close());
                kubelet.writeAndFlush(Unpooled.copiedBuffer(requestHead(target, method, headers), StandardCharsets.ISO_8859_1));
                client.config().setAutoRead(true);
                connected.complete(null);
            });
        });
        return connected;
    }

    /** The client's request line and headers, for the kubelet's path and host. */
    private static String requestHead(Target target, String method, HttpHeaders headers) {
        StringBuilder head = new StringBuilder(method).append(' ').append(target.path()).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(target.host()).append(':').append(target.port()).append("\r\n");
        for (Map.Entry<String, String> header : headers) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(java.util.Locale.ROOT))) {
                head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
            }
        }
        return head.append("\r\n").toString();
    }

    /** Copies what one side reads to the other; reading stops while the other cannot take more. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Relay(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            other.writeAndFlush(message);
            if (!other.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        /** This side can take more again: the other side, which writes here, reads on. */
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                other.config().setAutoRead(true);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // what was written still goes out, then the other side closes too
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
