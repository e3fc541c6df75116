package io.kubundle.runtime.nativ.internal;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Copies one output FIFO of a container into its log file as CRI log lines
 * ({@code 2016-10-06T00:17:09.669794202Z stdout F text}): {@code F} for a line ended by a newline,
 * {@code P} for the first 16 KiB of a longer one and for what is left without a newline when the
 * stream ends or the pump is closed. Lines land whole: each read's lines go to the file in one
 * write, so a reader of the log never sees half a CRI line.
 */
final class LogPump {
    static final int MAX_LINE = 16 * 1024;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'")
            .withZone(ZoneOffset.UTC);

    private final String stream;
    private final Path logPath;
    private final FileInputStream in;
    private final FileChannel fifo;
    private final Thread thread;
    private byte[] pending = new byte[MAX_LINE];
    private int pendingLength;

    /** Opens the FIFO (its holder must have it open already, else this blocks) and starts copying. */
    LogPump(Path fifoPath, String stream, Path logPath, String threadName) throws IOException {
        this.stream = stream;
        this.logPath = logPath;
        this.in = new FileInputStream(fifoPath.toFile());
        // The channel, unlike the stream, can be closed while a thread is blocked reading it.
        this.fifo = in.getChannel();
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether nothing is waiting in the pipe (bytes already taken are being written, or are). */
    boolean drained() {
        try {
            return !thread.isAlive() || in.available() == 0;
        } catch (IOException closed) {
            return true;
        }
    }

    /** Whether the stream ended (every writer closed it) or the pump was closed. */
    boolean finished() {
        return !thread.isAlive();
    }

    /** Waits up to {@code millis} for the pump to finish. */
    boolean await(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    /** Stops reading: what was taken from the pipe is written (an unfinished line as {@code P}), the rest stays there. */
    void close() {
        try {
            fifo.close();
            thread.join(5000);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                buffer.clear();
                int read = fifo.read(buffer);
                if (read < 0) {
                    break;
                }
                append(buffer.array(), read);
            }
        } catch (IOException closedOrBroken) {
            // close() (AsynchronousCloseException) or a broken pipe: flush what we hold and stop
        }
        if (pendingLength > 0) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            line(out, timestamp(), pending, 0, pendingLength, 'P');
            pendingLength = 0;
            write(out);
        }
        try {
            fifo.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    private void append(byte[] bytes, int length) {
        if (pendingLength + length > pending.length) {
            pending = Arrays.copyOf(pending, pendingLength + length);
        }
        System.arraycopy(bytes, 0, pending, pendingLength, length);
        pendingLength += length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String time = timestamp();
        int start = 0;
        for (int i = 0; i < pendingLength; i++) {
            if (pending[i] == '\n') {
                line(out, time, pending, start, i - start, 'F');
                start = i + 1;
            } else if (i + 1 - start == MAX_LINE) {
                line(out, time, pending, start, MAX_LINE, 'P');
                start = i + 1;
            }
        }
        pendingLength -= start;
        System.arraycopy(pending, start, pending, 0, pendingLength);
        if (out.size() > 0) {
            write(out);
        }
    }

    private void line(ByteArrayOutputStream out, String time, byte[] bytes, int offset, int length, char tag) {
        out.writeBytes((time + " " + stream + " " + tag + " ").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes, offset, length);
        out.write('\n');
    }

    private void write(ByteArrayOutputStream out) {
        // Opened per write so that a log file renamed away (rotation) is followed by a new one.
        try (FileChannel log = FileChannel.open(logPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(out.toByteArray());
            while (bytes.hasRemaining()) {
                log.write(bytes);
            }
        } catch (IOException e) {
            System.getLogger(LogPump.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot write the log " + logPath + ": " + e.getMessage());
        }
    }

    private static String timestamp() {
        return TIME.format(Instant.now());
    }
}
