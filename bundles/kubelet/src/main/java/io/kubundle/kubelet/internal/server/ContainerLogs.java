package io.kubundle.kubelet.internal.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

import io.kubundle.api.runtime.ContainerState;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.kubelet.internal.server.PodContainers.LocatedContainer;

/**
 * Reads a container's CRI log file ({@code 2016-10-06T00:17:09.669794202Z stdout F text}) as
 * {@code kubectl logs} shows it: the text of each line, partial ({@code P}) records joined into
 * their line, optionally after the line's timestamp; tail, since and byte limit as the kubelet
 * applies them, and following the file until the container has exited and the file is drained.
 */
final class ContainerLogs {
    /** How often a followed log looks for new lines, a rotated file, or the container's exit. */
    static final Duration POLL = Duration.ofMillis(100);
    /** The kubelet's RFC3339NanoFixed: always nine digits, so that the lines line up. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX")
            .withZone(ZoneOffset.UTC);
    private static final int BLOCK = 64 * 1024;

    private final LocatedContainer container;
    private final LogOptions options;
    private final Limited out;
    /** Where stderr's lines go: {@code out} for a log, a channel of its own for attach. */
    private final OutputStream err;
    private final ByteArrayOutputStream partialRecord = new ByteArrayOutputStream();
    /** Whether the last record written was partial: the next one continues its line. */
    private boolean midLine;
    /** Whether the current line passed the since filter. */
    private boolean keepLine;

    private ContainerLogs(LocatedContainer container, LogOptions options, OutputStream out, OutputStream err) {
        this.container = container;
        this.options = options;
        this.out = new Limited(out, options.limitBytes());
        this.err = err == null ? this.out : err;
    }

    /**
     * Writes the log to {@code out}, flushing it after each batch of lines; with {@code follow},
     * returns once the container is no longer running and the file is drained.
     *
     * @throws IOException if the file cannot be read or {@code out} fails (the client left)
     */
    static void write(LocatedContainer container, LogOptions options, OutputStream out) throws IOException, InterruptedException {
        new ContainerLogs(container, options, out, null).copy();
    }

    /** As {@link #write}, with stdout's lines to {@code out} and stderr's to {@code err} (no byte limit). */
    static void write(LocatedContainer container, LogOptions options, OutputStream out, OutputStream err)
            throws IOException, InterruptedException {
        new ContainerLogs(container, options, out, err).copy();
    }

    private void copy() throws IOException, InterruptedException {
        Path path = container.logPath();
        boolean follow = options.follow() && !options.previous();
        FileChannel file = open(path);
        while (file == null) {
            // nothing written yet: a followed log waits for the file while the container runs
            if (!follow || !running()) {
                return;
            }
            Thread.sleep(POLL.toMillis());
            file = open(path);
        }
        try {
            Object key = fileKey(path);
            file.position(tailStart(file, options.tailLines()));
            ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
            boolean exited = false;
            while (!out.full()) {
                buffer.clear();
                int read = file.read(buffer);
                if (read > 0) {
                    lines(buffer.array(), read);
                    flush();
                    continue;
                }
                if (!follow || exited) {
                    return;
                }
                Object current = fileKey(path);
                if (current != null && !current.equals(key)) {
                    // rotated: the old file is read to its end, the new one starts at the path
                    FileChannel next = open(path);
                    if (next != null) {
                        file.close();
                        file = next;
                        key = current;
                        continue;
                    }
                }
                // one more read after the exit is seen: what it wrote before exiting is drained
                exited = !running();
                if (!exited) {
                    // fails once the client has gone, which ends a follow of a quiet container
                    flush();
                    Thread.sleep(POLL.toMillis());
                }
            }
        } finally {
            file.close();
        }
    }

    private void flush() throws IOException {
        out.flush();
        if (err != out) {
            err.flush();
        }
    }

    private boolean running() {
        try {
            Optional<ContainerStatus> status = container.runtime().containerStatus(container.containerId());
            return status.isPresent() && (status.get().state() == ContainerState.RUNNING || status.get().state() == ContainerState.CREATED);
        } catch (RuntimeFailure e) {
            return false;
        }
    }

    private static FileChannel open(Path path) throws IOException {
        try {
            return FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Object fileKey(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return attributes.fileKey() != null ? attributes.fileKey() : attributes.creationTime();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Where the last {@code lines} lines of the file start (counted in records, as the kubelet
     * counts them), or 0 for all.
     */
    static long tailStart(FileChannel file, long lines) throws IOException {
        long size = file.size();
        if (lines < 0) {
            return 0;
        }
        if (lines == 0) {
            return size;
        }
        ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
        long seen = 0;
        for (long end = size; end > 0; ) {
            long start = Math.max(0, end - BLOCK);
            buffer.clear().limit((int) (end - start));
            file.read(buffer, start);
            for (int i = (int) (end - start) - 1; i >= 0; i--) {
                // a newline ends a line; the file's final one starts none
                if (buffer.get(i) == '\n' && start + i != size - 1 && ++seen == lines) {
                    return start + i + 1;
                }
            }
            end = start;
        }
        return 0;
    }

    /** Splits what was read into records; an unfinished last record waits for the rest. */
    private void lines(byte[] bytes, int length) throws IOException {
        int from = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (partialRecord.size() > 0) {
                partialRecord.write(bytes, from, i - from);
                byte[] whole = partialRecord.toByteArray();
                partialRecord.reset();
                record(whole, 0, whole.length);
            } else {
                record(bytes, from, i - from);
            }
            from = i + 1;
        }
        partialRecord.write(bytes, from, length - from);
    }

    /** One CRI record: {@code TIMESTAMP STREAM TAG CONTENT}; a line that is not one is skipped. */
    private void record(byte[] bytes, int offset, int length) throws IOException {
        int end = offset + length;
        int timeEnd = indexOf(bytes, offset, end);
        int streamEnd = timeEnd < 0 ? -1 : indexOf(bytes, timeEnd + 1, end);
        if (streamEnd < 0) {
            return;
        }
        String stream = new String(bytes, timeEnd + 1, streamEnd - timeEnd - 1, StandardCharsets.US_ASCII);
        int tagEnd = indexOf(bytes, streamEnd + 1, end);
        int contentStart = tagEnd < 0 ? end : tagEnd + 1;
        byte tag = streamEnd + 1 < end ? bytes[streamEnd + 1] : 0;
        if (!(stream.equals("stdout") || stream.equals("stderr")) || (tag != 'P' && tag != 'F')) {
            return;
        }
        boolean partial = tag == 'P';
        if (!midLine) {
            Instant time = null;
            if (options.since() != null || options.timestamps()) {
                try {
                    time = OffsetDateTime.parse(new String(bytes, offset, timeEnd - offset, StandardCharsets.US_ASCII)).toInstant();
                } catch (DateTimeParseException e) {
                    return;
                }
            }
            keepLine = options.since() == null || !time.isBefore(options.since());
            if (keepLine && options.timestamps()) {
                target(stream).write((TIMESTAMP.format(time) + " ").getBytes(StandardCharsets.US_ASCII));
            }
        }
        if (keepLine) {
            target(stream).write(bytes, contentStart, end - contentStart);
            if (!partial) {
                target(stream).write('\n');
            }
        }
        midLine = partial;
    }

    private OutputStream target(String stream) {
        return stream.equals("stderr") ? err : out;
    }

    private static int indexOf(byte[] bytes, int from, int end) {
        for (int i = from; i < end; i++) {
            if (bytes[i] == ' ') {
                return i;
            }
        }
        return -1;
    }

    /** Passes at most {@code limit} bytes on (all for a negative limit), then drops the rest. */
    private static final class Limited extends OutputStream {
        private final OutputStream out;
        private long left;

        Limited(OutputStream out, long limit) {
            this.out = out;
            this.left = limit < 0 ? Long.MAX_VALUE : limit;
        }

        boolean full() {
            return left == 0;
        }

        @Override
        public void write(int b) throws IOException {
            if (left > 0) {
                out.write(b);
                left--;
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            int n = (int) Math.min(length, left);
            if (n > 0) {
                out.write(bytes, offset, n);
                left -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
