package io.kubundle.client.kube.https;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

import javax.net.ssl.SSLContext;

import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.api.transport.StreamListener;

/**
 * The API over HTTPS with the JDK's HTTP client: kept-alive HTTP/1.1 connections, one thread per
 * open stream reading its newline-separated lines.
 */
final class HttpsTransport implements ApiTransport {
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final URI server;
    private final String token;
    private final HttpClient http;

    HttpsTransport(URI server, SSLContext tls, String token) {
        this.server = server;
        this.token = token;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public ApiReply send(ApiCall call) throws IOException {
        try {
            HttpResponse<byte[]> response = http.send(request(call), HttpResponse.BodyHandlers.ofByteArray());
            return new ApiReply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public ApiStream stream(ApiCall call, StreamListener listener) throws IOException {
        HttpResponse<InputStream> response;
        try {
            response = http.send(request(call), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                ApiReply refusal = new ApiReply(response.statusCode(), contentType, body.readAllBytes());
                return new Refused(refusal);
            }
        }
        LineReader reader = new LineReader(response.body(), listener);
        Thread thread = new Thread(reader, "kube-stream-" + call.uri());
        thread.setDaemon(true);
        thread.start();
        return reader;
    }

    private HttpRequest request(ApiCall call) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.resolve(call.uri()))
                .method(call.method(), call.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        call.headers().forEach((name, value) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                builder.header(name, value);
            }
        });
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        builder.header("User-Agent", "kubundle-client");
        return builder.build();
    }

    private record Refused(ApiReply refusal) implements ApiStream {
        @Override
        public void close() {
            // nothing was opened
        }
    }

    /** Reads lines until the server ends the stream or the client closes it. */
    private static final class LineReader implements Runnable, ApiStream {
        private final InputStream body;
        private final StreamListener listener;
        private volatile boolean closed;

        LineReader(InputStream body, StreamListener listener) {
            this.body = new BufferedInputStream(body, 64 * 1024);
            this.listener = listener;
        }

        @Override
        public void run() {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            try {
                int b;
                while ((b = body.read()) >= 0) {
                    if (b == '\n') {
                        if (line.size() > 0 && !closed) {
                            listener.onLine(line.toByteArray());
                        }
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
                if (!closed) {
                    listener.onEnd(null);
                }
            } catch (IOException e) {
                if (!closed) {
                    listener.onEnd(e);
                }
            } finally {
                closed = true;
                try {
                    body.close();
                } catch (IOException e) {
                    // the connection is gone either way
                }
            }
        }

        @Override
        public ApiReply refusal() {
            return null;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    body.close();
                } catch (IOException e) {
                    // closing is all that was asked
                }
            }
        }
    }
}
