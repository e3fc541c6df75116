package io.kubundle.kubelet.internal.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.kubelet.internal.server.PodContainers.LocatedContainer;

/**
 * One {@code kubectl exec}, or one {@code kubectl attach} to a runtime that attaches, over WebSocket,
 * in Kubernetes' channel protocol: each binary message starts with its channel (0 stdin, 1 stdout,
 * 2 stderr, 3 error, 4 resize); {@code v5} adds the close signal {@code [255, channel]}, with which
 * the client ends stdin. When the command ends (for an attach: when the container's output ended),
 * its output is sent in full, then a {@code Status} on channel 3 (an exec's Success, or Failure with
 * reason {@code NonZeroExitCode} and an {@code ExitCode} cause, from which kubectl takes its exit
 * code; an attach's Success, as the kubelet's: kubectl reads the exit code from the pod), then a
 * normal close. A client that leaves kills the exec's command, and only detaches an attach.
 */
final class ExecChannel extends SimpleChannelInboundHandler<WebSocketFrame> {
    static final byte STDIN = 0;
    static final byte STDOUT = 1;
    static final byte STDERR = 2;
    static final byte ERROR = 3;
    static final byte RESIZE = 4;
    static final byte CLOSE = (byte) 255;
    /** How long the output may still flow after the command ended (a child it left may hold the pipes open). */
    private static final long DRAIN_SECONDS = 5;
    private static final byte[] END_OF_INPUT = new byte[0];
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The streams the client asked for. */
    record Streams(boolean stdin, boolean stdout, boolean stderr, boolean tty) {
        boolean any() {
            return stdin || stdout || stderr;
        }
    }

    /** How the channel gets its session, on a worker thread once the handshake is done. */
    @FunctionalInterface
    interface Opener {
        ExecSession open() throws RuntimeFailure;
    }

    private final Opener opener;
    /** The command, or null for an attach. */
    private final List<String> command;
    private final Streams streams;
    private final boolean closeSignal;
    private final ExecutorService workers;
    private final BlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile ExecSession session;
    /** A size that came before the command started (kubectl sends the terminal's at once). */
    private volatile int[] earlySize;
    private volatile Channel channel;

    private ExecChannel(Opener opener, List<String> command, Streams streams, boolean closeSignal, ExecutorService workers) {
        this.opener = opener;
        this.command = command;
        this.streams = streams;
        this.closeSignal = closeSignal;
        this.workers = workers;
    }

    /** {@code kubectl exec}: runs {@code command} in the container once the handshake is done. */
    static ExecChannel exec(LocatedContainer container, List<String> command, Streams streams, boolean closeSignal,
            ExecutorService workers) {
        return new ExecChannel(() -> container.runtime().exec(container.containerId(), command, streams.tty(), streams.stdin()),
                List.copyOf(command), streams, closeSignal, workers);
    }

    /** {@code kubectl attach} through a session the runtime opened before the handshake (so that a refusal is an HTTP error). */
    static ExecChannel attach(ExecSession attached, Streams streams, boolean closeSignal, ExecutorService workers) {
        return new ExecChannel(() -> attached, null, streams, closeSignal, workers);
    }

    /** Starts the command, once the handshake is done. */
    void start(Channel channel) {
        this.channel = channel;
        workers.execute(() -> {
            try {
                session = opener.open();
            } catch (RuntimeFailure | RuntimeException e) {
                finish(status("Failure", "InternalError", "failed to exec in container: " + e.getMessage(), null));
                return;
            }
            if (!channel.isActive()) {
                session.close();
                return;
            }
            int[] size = earlySize;
            if (size != null) {
                session.resize(size[0], size[1]);
            }
            if (streams.stdin()) {
                workers.execute(this::copyInput);
            }
            CompletableFuture<Void> out = pump(session.stdout(), STDOUT, streams.stdout());
            CompletableFuture<Void> err = pump(session.stderr(), STDERR, streams.stderr() && !streams.tty());
            CompletableFuture<Void> output = CompletableFuture.allOf(out, err);
            session.exitCode().whenComplete((code, failure) -> output.completeOnTimeout(null, DRAIN_SECONDS, TimeUnit.SECONDS)
                    .whenComplete((drained, ignored) -> finish(exitStatus(code == null ? -1 : code))));
        });
    }

    /** Copies a stream to its channel, or reads it to its end and drops it when the client did not ask for it. */
    private CompletableFuture<Void> pump(InputStream from, byte stream, boolean wanted) {
        return CompletableFuture.runAsync(() -> {
            byte[] buffer = new byte[32 * 1024];
            try {
                for (int n; (n = from.read(buffer)) >= 0; ) {
                    if (wanted && n > 0 && !send(channel, stream, buffer, n)) {
                        return;
                    }
                }
            } catch (IOException e) {
                // the session was closed: nothing more to copy
            }
        }, workers);
    }

    /** Writes one message and waits until it is written: a slow client slows the command, as a pipe would. */
    static boolean send(Channel channel, byte stream, byte[] data, int length) {
        ChannelFuture written = channel.writeAndFlush(frame(stream, data, length));
        written.awaitUninterruptibly();
        return written.isSuccess();
    }

    /** A message of the channel protocol: the channel's number, then the bytes. */
    static BinaryWebSocketFrame frame(byte stream, byte[] data, int length) {
        return new BinaryWebSocketFrame(Unpooled.buffer(length + 1).writeByte(stream).writeBytes(data, 0, length));
    }

    private void copyInput() {
        OutputStream stdin = session.stdin();
        try {
            for (byte[] data; (data = input.take()) != END_OF_INPUT; ) {
                stdin.write(data);
                stdin.flush();
            }
            stdin.close();
        } catch (IOException e) {
            // the command closed its stdin or ended: what the client still sends is dropped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ObjectNode exitStatus(int code) {
        if (code == 0 || command == null) {
            return status("Success", null, null, null);
        }
        return status("Failure", "NonZeroExitCode", "command terminated with non-zero exit code: error executing command "
                + command + ", exit code " + code, Integer.toString(code));
    }

    static ObjectNode status(String status, String reason, String message, String exitCode) {
        ObjectNode node = JSON.createObjectNode();
        node.putObject("metadata");
        node.put("status", status);
        if (message != null) {
            node.put("message", message);
        }
        if (reason != null) {
            node.put("reason", reason);
        }
        if (exitCode != null) {
            node.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", exitCode);
        }
        return node;
    }

    /** The status, then a normal close; the command is killed if it still runs. Once only. */
    private void finish(ObjectNode status) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        end(channel, status);
        endSession();
    }

    /** The status on the error channel, then a normal close. */
    static void end(Channel channel, ObjectNode status) {
        byte[] body = status.toString().getBytes(StandardCharsets.UTF_8);
        send(channel, ERROR, body, body.length);
        channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE)).addListener(ChannelFutureListener.CLOSE);
    }

    private void endSession() {
        input.offer(END_OF_INPUT);
        ExecSession running = session;
        if (running != null) {
            running.close();
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof BinaryWebSocketFrame && frame.content().isReadable()) {
            ByteBuf content = frame.content();
            byte stream = content.readByte();
            byte[] data = new byte[content.readableBytes()];
            content.readBytes(data);
            if (stream == STDIN && streams.stdin() && data.length > 0) {
                input.offer(data);
            } else if (stream == RESIZE) {
                resize(data);
            } else if (stream == CLOSE && closeSignal && data.length == 1 && data[0] == STDIN) {
                input.offer(END_OF_INPUT);
            }
        } else if (frame instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame) {
            ctx.close();
        }
    }

    /** {@code {"Width":80,"Height":24}}, as kubectl sends a terminal's size. */
    private void resize(byte[] data) {
        try {
            JsonNode size = JSON.readTree(data);
            int columns = size.path("Width").asInt();
            int rows = size.path("Height").asInt();
            ExecSession running = session;
            if (running == null) {
                earlySize = new int[] {columns, rows};
            } else {
                running.resize(columns, rows);
            }
        } catch (IOException e) {
            // not a size: ignored, as the kubelet ignores it
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // the client left: the command goes too
        if (ended.compareAndSet(false, true)) {
            endSession();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
