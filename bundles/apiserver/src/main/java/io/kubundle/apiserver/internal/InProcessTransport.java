package io.kubundle.apiserver.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.kubundle.api.auth.UserInfo;
import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.api.transport.StreamListener;

/**
 * The API for components in the master's JVM: each call goes through {@link ApiHandler} (routing,
 * authorization, admission, validation, watch sessions) as an HTTPS request would, on the
 * caller's thread, with no socket, TLS or HTTP framing. The caller is the user the server
 * registered this instance for: one per calling bundle, in {@code system:masters}.
 */
final class InProcessTransport implements ApiTransport {
    private final ApiHandler handler;
    private final UserInfo user;
    private final OpenStreams open;

    InProcessTransport(ApiHandler handler, UserInfo user, OpenStreams open) {
        this.handler = handler;
        this.user = user;
        this.open = open;
    }

    /** The streams callers hold open, ended when the server stops as a closed connection would end them. */
    static final class OpenStreams {
        private final Set<ListenerSink> streams = ConcurrentHashMap.newKeySet();
        private final Executor delivery;

        /** @param delivery runs the deliveries of events written in batches (the watch cache's) */
        OpenStreams(Executor delivery) {
            this.delivery = delivery;
        }

        void endAll() {
            for (ListenerSink sink : streams) {
                sink.serverStopped();
            }
        }
    }

    /** The identity of a bundle calling in-process, by its symbolic name. */
    static UserInfo userFor(String bundleSymbolicName) {
        return new UserInfo("system:kubundle:" + bundleSymbolicName, "",
                List.of(UserInfo.SYSTEM_MASTERS, UserInfo.ALL_AUTHENTICATED), Map.of());
    }

    @Override
    public ApiReply send(ApiCall call) {
        ApiResponse response = handler.handle(request(call), user, new RefusingSink());
        if (response == null) {
            // a watch asked for through send(): the handler has begun and closed it already
            return new ApiReply(400, "text/plain", "use stream() for watches".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return reply(response);
    }

    @Override
    public ApiStream stream(ApiCall call, StreamListener listener) {
        ListenerSink sink = new ListenerSink(listener, open.streams, open.delivery);
        open.streams.add(sink);
        ApiResponse response = handler.handle(request(call), user, sink);
        if (response != null) {
            open.streams.remove(sink);
            ApiReply refusal = reply(response);
            return new ApiStream() {
                @Override
                public ApiReply refusal() {
                    return refusal;
                }

                @Override
                public void close() {
                    // nothing was opened
                }
            };
        }
        return sink;
    }

    private static ApiRequest request(ApiCall call) {
        return ApiRequest.of(call.method(), call.uri(), call::header, call.body());
    }

    private static ApiReply reply(ApiResponse response) {
        return new ApiReply(response.status(), response.contentType(), response.body());
    }

    /** For send(): a handler that starts a stream anyway is told the client has gone. */
    private static final class RefusingSink implements EventSink {
        @Override
        public void begin(String contentType) {
        }

        @Override
        public boolean write(byte[] line) {
            return false;
        }

        @Override
        public void write(List<byte[]> lines, Consumer<Boolean> done) {
            done.accept(false);
        }

        @Override
        public void end() {
        }

        @Override
        public void onClientGone(Runnable action) {
            action.run();
        }
    }

    /**
     * A watch's events handed to the listener, one line each without the newline that frames them
     * on the wire. Lines written one at a time (a watch of the store) reach the listener on the
     * writer's thread; batches (the watch cache's) and the end after them, in order, on the
     * delivery executor, never on the writer's stack, which holds the watch cache's lock.
     */
    private static final class ListenerSink implements EventSink, ApiStream {
        private final StreamListener listener;
        private final Set<ListenerSink> open;
        private final Executor delivery;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile Runnable onGone;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean delivering; // guarded by tasks

        ListenerSink(StreamListener listener, Set<ListenerSink> open, Executor delivery) {
            this.listener = listener;
            this.open = open;
            this.delivery = delivery;
        }

        @Override
        public void begin(String contentType) {
        }

        @Override
        public boolean write(byte[] line) {
            if (closed.get()) {
                return false;
            }
            int length = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
            listener.onLine(length == line.length ? line : Arrays.copyOf(line, length));
            return true;
        }

        @Override
        public void write(List<byte[]> lines, Consumer<Boolean> done) {
            inOrder(() -> {
                for (byte[] line : lines) {
                    if (!write(line)) {
                        break;
                    }
                }
                done.accept(!closed.get());
            });
        }

        @Override
        public void end() {
            inOrder(() -> {
                if (closed.compareAndSet(false, true)) {
                    open.remove(this);
                    listener.onEnd(null);
                }
            });
        }

        /** Runs {@code task} on the delivery executor after the ones before it, at once if none are pending. */
        private void inOrder(Runnable task) {
            synchronized (tasks) {
                tasks.add(task);
                if (delivering) {
                    return;
                }
                delivering = true;
            }
            try {
                delivery.execute(this::deliver);
            } catch (RejectedExecutionException e) {
                // the server is stopping: its streams have ended
                deliver();
            }
        }

        private void deliver() {
            while (true) {
                Runnable task;
                synchronized (tasks) {
                    task = tasks.poll();
                    if (task == null) {
                        delivering = false;
                        return;
                    }
                }
                task.run();
            }
        }

        void serverStopped() {
            if (closed.compareAndSet(false, true)) {
                open.remove(this);
                runOnGone();
                listener.onEnd(new IOException("the API server stopped"));
            }
        }

        @Override
        public void onClientGone(Runnable action) {
            onGone = action;
            if (closed.get()) {
                action.run();
            }
        }

        @Override
        public ApiReply refusal() {
            return null;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                open.remove(this);
                runOnGone();
            }
        }

        private void runOnGone() {
            Runnable action = onGone;
            if (action != null) {
                action.run();
            }
        }
    }
}
