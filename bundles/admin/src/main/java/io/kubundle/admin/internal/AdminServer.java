package io.kubundle.admin.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** The HTTP side of the admin endpoint: token check, routing and JSON answers. */
final class AdminServer {
    static final int MAX_BODY = 256 * 1024 * 1024;
    private static final String BEARER = "Bearer ";

    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] token;
    private final BundleOperations operations;
    private final HealthReport health;

    /** A reply: status, JSON body and, for 405, the methods the path allows. */
    private record Reply(int status, Object body, String allow) {
        static Reply of(int status, Object body) {
            return new Reply(status, body, null);
        }

        static Reply error(int status, String message) {
            return new Reply(status, Json.error(message), null);
        }
    }

    AdminServer(String host, int port, String token, BundleOperations operations, HealthReport health)
            throws IOException {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.operations = operations;
        this.health = health;
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        AtomicInteger threads = new AtomicInteger();
        // daemon threads: a forgotten server must not keep the JVM alive
        executor = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "kubundle-admin-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL clients use; a wildcard bind is reached through loopback. */
    String url() {
        InetSocketAddress address = server.getAddress();
        InetAddress ip = address.getAddress();
        if (ip.isAnyLocalAddress()) {
            ip = InetAddress.getLoopbackAddress();
        }
        String host = ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return "http://" + host + ":" + address.getPort();
    }

    void stop() {
        // no grace period: before JDK 21 any delay is waited out in full even when nothing is in flight
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try {
            Reply reply;
            try {
                reply = authorized(exchange) ? route(exchange)
                        : Reply.error(401, "missing or wrong admin token");
            } catch (AdminException e) {
                reply = Reply.error(e.status(), e.getMessage());
            } catch (RuntimeException e) {
                reply = Reply.error(500, "internal error: " + e);
            }
            send(exchange, reply);
        } catch (IOException e) {
            // the client went away; there is no one left to answer
        } finally {
            exchange.close();
        }
    }

    private boolean authorized(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] presented = header.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        // constant time, so the token cannot be guessed byte by byte from response times
        return MessageDigest.isEqual(token, presented);
    }

    private Reply route(HttpExchange exchange) throws AdminException, IOException {
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath();
        List<String> path = segments(rawPath);
        if (path.equals(List.of("health"))) {
            if (!method.equals("GET")) {
                return notAllowed(method, rawPath, "GET");
            }
            Map<String, Object> report = health.build();
            return Reply.of(HealthReport.healthy(report) ? 200 : 503, report);
        }
        if (path.equals(List.of("bundles"))) {
            switch (method) {
                case "GET":
                    return Reply.of(200, Map.of("bundles", operations.list()));
                case "POST":
                    return Reply.of(201, operations.install(body(exchange)));
                default:
                    return notAllowed(method, rawPath, "GET, POST");
            }
        }
        if (path.size() == 2 && path.get(0).equals("bundles")) {
            switch (method) {
                case "PUT":
                    return Reply.of(200, operations.update(path.get(1), body(exchange)));
                case "DELETE":
                    return Reply.of(200, operations.uninstall(path.get(1)));
                default:
                    return notAllowed(method, rawPath, "PUT, DELETE");
            }
        }
        if (path.size() == 3 && path.get(0).equals("bundles") && path.get(2).equals("swap")) {
            if (!method.equals("POST")) {
                return notAllowed(method, rawPath, "POST");
            }
            return Reply.of(200, operations.swap(path.get(1), body(exchange)));
        }
        return Reply.error(404, "no such endpoint: " + rawPath);
    }

    private static Reply notAllowed(String method, String path, String allow) {
        return new Reply(405, Json.error(method + " is not allowed on " + path + "; use " + allow), allow);
    }

    /** The decoded, non-empty segments of a raw path; "+" stays a plus, as it does in a path. */
    static List<String> segments(String rawPath) throws AdminException {
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            if (raw.isEmpty()) {
                continue;
            }
            try {
                segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new AdminException(400, "bad escape in path segment " + raw);
            }
        }
        return segments;
    }

    private static byte[] body(HttpExchange exchange) throws AdminException, IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.strip().matches("\\d{1,18}") && Long.parseLong(length.strip()) > MAX_BODY) {
            throw tooLarge();
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw tooLarge();
        }
        return body;
    }

    private static AdminException tooLarge() {
        return new AdminException(413, "the request body is larger than " + (MAX_BODY >> 20) + " MiB");
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] bytes = Json.write(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (reply.allow() != null) {
            exchange.getResponseHeaders().set("Allow", reply.allow());
        }
        if (reply.status() == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        }
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
