package io.kubundle.runtime.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.InterruptedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.RuntimeFailure;

/**
 * An attach to a running container ({@code ContainerRuntime.attach}) through its log writer's
 * socket ({@link ContainerDir#attachSocket()}, protocol in {@code log-writer.pl}): the writer, which
 * belongs to the container's shim, reads the container's output and holds its stdin, so nothing of
 * the attach lives in the JVM but this connection. One thread per session splits the writer's
 * frames into stdout and stderr.
 */
public final class AttachSession implements ExecSession {
    /**
     * The longest socket path the JDK connects to, in bytes: a sun_path holds 108 with its
     * terminating zero, and the JDK refuses more than 106 ("Unix domain path too long").
     */
    static final int MAX_SOCKET_PATH = 106;
    private static final Duration EXIT_WAIT = Duration.ofSeconds(5);
    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int END_OF_INPUT = 3;

    /** Sizes the container's terminal. */
    @FunctionalInterface
    public interface Resizer {
        void resize(int columns, int rows);
    }

    private final SocketChannel socket;
    private final boolean stdin;
    private final Resizer resizer;
    private final Pipe stdout = new Pipe();
    private final Pipe stderr = new Pipe();
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    private final OutputStream input;
    private volatile boolean closed;

    private AttachSession(SocketChannel socket, boolean stdin, Resizer resizer) {
        this.socket = socket;
        this.stdin = stdin;
        this.resizer = resizer;
        this.input = stdin ? new Input() : OutputStream.nullOutputStream();
    }

    /**
     * Attaches to the container of {@code dir}, which the caller found running.
     *
     * @param config the container's config: stdin is refused unless it has {@code stdin}
     * @param resizer sizes its terminal, or {@code null} when it cannot be resized
     * @throws RuntimeFailure {@code AttachError} when stdin is refused (not asked for in the pod, or
     *         closed after its first attach with {@code stdinOnce}) or the writer does not answer;
     *         {@code NotSupported} when the container was started by a runtime without attach
     */
    public static AttachSession open(ContainerDir dir, ContainerConfig config, String containerId, boolean stdin,
            Resizer resizer) throws RuntimeFailure {
        if (stdin && !config.stdin()) {
            throw new RuntimeFailure("AttachError", "container " + config.name() + " (" + containerId
                    + ") was not created with stdin: true: attach without -i (stdin), or set stdin: true in its spec");
        }
        if (!Files.exists(dir.attachSocket())) {
            throw new RuntimeFailure("NotSupported", "container " + config.name() + " (" + containerId
                    + ") was started by a runtime version without attach: restart it to attach to it");
        }
        SocketChannel socket = null;
        try {
            socket = SocketChannel.open(StandardProtocolFamily.UNIX);
            socket.connect(UnixDomainSocketAddress.of(address(dir)));
            socket.write(ByteBuffer.wrap((stdin ? "attach stdin\n" : "attach\n").getBytes(StandardCharsets.US_ASCII)));
            String answer = readLine(socket);
            if (!answer.equals("ok")) {
                throw new RuntimeFailure("AttachError", "cannot attach to container " + config.name() + ": "
                        + (answer.startsWith("error ") ? answer.substring("error ".length()) : "the log writer answered " + answer));
            }
            AttachSession session = new AttachSession(socket, stdin, resizer);
            session.start(containerId, dir);
            return session;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new RuntimeFailure("AttachError", "cannot attach to container " + config.name() + ": " + e.getMessage(), e);
        } catch (RuntimeFailure e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /**
     * The socket's path, through the shim's working directory (the container's) when the real one is
     * too long (a data directory of more than 35 characters makes the native runtime's so).
     */
    private static Path address(ContainerDir dir) throws IOException {
        Path socket = dir.attachSocket();
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return socket;
        }
        Optional<String> shim = ContainerDir.read(dir.shimPid());
        if (shim.isEmpty() || !dir.shimAlive()) {
            throw new IOException("the shim of the container is gone");
        }
        return Path.of("/proc", shim.get(), "cwd", socket.getFileName().toString());
    }

    /** The answer line, read a byte at a time so that no frame after it is consumed. */
    private static String readLine(SocketChannel socket) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (line.length() < 4096) {
            one.clear();
            if (socket.read(one) < 0) {
                throw new EOFException("the log writer closed the connection");
            }
            char c = (char) (one.get(0) & 0xff);
            if (c == '\n') {
                return line.toString();
            }
            line.append(c);
        }
        throw new IOException("the log writer's answer is too long");
    }

    private void start(String containerId, ContainerDir dir) {
        Thread reader = new Thread(() -> copy(dir), "kubundle-attach-" + containerId);
        reader.setDaemon(true);
        reader.start();
    }

    /** Splits the writer's frames into the two streams until the container's output ends or the session is closed. */
    private void copy(ContainerDir dir) {
        boolean ended = false;
        try (DataInputStream frames = new DataInputStream(Channels.newInputStream(socket))) {
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int stream = frames.read();
                if (stream < 0) {
                    ended = true;
                    break;
                }
                int length = frames.readInt();
                byte[] data = length <= buffer.length ? buffer : new byte[length];
                frames.readFully(data, 0, length);
                Pipe to = stream == STDOUT ? stdout : stream == STDERR ? stderr : null;
                if (to != null) {
                    to.put(data, length);
                }
            }
        } catch (IOException e) {
            // closed, or the writer went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stdout.end();
            stderr.end();
            closeQuietly(socket);
        }
        exitCode.complete(ended && !closed ? exitCode(dir) : -1);
    }

    /** The container's exit code, once its shim recorded it (right after the output ended), else -1. */
    private static int exitCode(ContainerDir dir) {
        if (!Await.quietly(() -> Files.exists(dir.exit()), EXIT_WAIT)) {
            return -1;
        }
        try {
            return Integer.parseInt(ContainerDir.read(dir.exit()).orElse("-1").split(" ")[0]);
        } catch (NumberFormatException damaged) {
            return -1;
        }
    }

    @Override
    public OutputStream stdin() {
        return input;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    @Override
    public void resize(int columns, int rows) {
        if (resizer != null && !closed) {
            resizer.resize(columns, rows);
        }
    }

    /** Detaches: the writer sees the connection end (with {@code stdinOnce}, that closes the container's stdin). */
    @Override
    public void close() {
        closed = true;
        closeQuietly(socket);
        closeQuietly(stdout);
        closeQuietly(stderr);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception ignored) {
            // already closed
        }
    }

    /**
     * One output stream: the reader thread puts, the caller reads. Bounded: a caller that does not
     * read holds the reader thread (and the log writer buffers for it, up to its limit); once the
     * caller closed it, what comes is dropped.
     */
    private static final class Pipe extends InputStream {
        private static final int CAPACITY = 256 * 1024;
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private int size;
        private int offset;
        private boolean ended;
        private boolean closed;

        synchronized void put(byte[] data, int length) throws InterruptedException {
            while (size >= CAPACITY && !closed) {
                wait();
            }
            if (!closed && length > 0) {
                chunks.add(Arrays.copyOf(data, length));
                size += length;
                notifyAll();
            }
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] into, int at, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            try {
                while (chunks.isEmpty() && !ended && !closed) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            if (closed) {
                throw new IOException("closed");
            }
            if (chunks.isEmpty()) {
                return -1;
            }
            byte[] chunk = chunks.peek();
            int n = Math.min(length, chunk.length - offset);
            System.arraycopy(chunk, offset, into, at, n);
            offset += n;
            if (offset == chunk.length) {
                chunks.poll();
                offset = 0;
            }
            size -= n;
            notifyAll();
            return n;
        }

        @Override
        public synchronized int available() {
            return size;
        }

        @Override
        public synchronized void close() {
            closed = true;
            chunks.clear();
            size = 0;
            notifyAll();
        }
    }

    /** The container's stdin: each write is one frame; close ends this session's input. */
    private final class Input extends OutputStream {
        private boolean ended;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
            if (ended) {
                throw new IOException("stdin was closed");
            }
            ByteBuffer frame = ByteBuffer.allocate(5 + length).put((byte) STDIN).putInt(length).put(bytes, offset, length);
            writeFully(frame.flip());
        }

        @Override
        public synchronized void close() throws IOException {
            if (ended || !stdin) {
                return;
            }
            ended = true;
            writeFully(ByteBuffer.allocate(5).put((byte) END_OF_INPUT).putInt(0).flip());
        }

        private void writeFully(ByteBuffer frame) throws IOException {
            while (frame.hasRemaining()) {
                socket.write(frame);
            }
        }
    }
}
