package io.kubundle.images;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry that serves what the test gives it, however wrong (the real one refuses to store a
 * malformed manifest, and checks blobs on upload): manifests by tag with a media type (and, to a
 * HEAD, their {@code Docker-Content-Digest}), blobs by digest, and a record of the requests.
 * HTTP/1.1 GET and HEAD with keep-alive, one thread a connection.
 */
final class StaticRegistry implements AutoCloseable {
    private final ServerSocket server;
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> mediaTypes = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    /** The requests, in order: {@code GET /v2/any/app/manifests/1}. */
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** Whether a HEAD of a manifest says its digest, as registries do. */
    volatile boolean digestHeader = true;

    StaticRegistry() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "static-registry");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code 127.0.0.1:PORT}: loopback, so spoken to in plain HTTP. */
    String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Serves {@code manifest} as {@code mediaType} for every repository's {@code tag}. */
    void manifest(String tag, String mediaType, byte[] manifest) {
        manifests.put(tag, manifest);
        mediaTypes.put(tag, mediaType);
    }

    /** Serves {@code content} as the blob {@code digest}, whether or not it hashes to it. */
    void blob(String digest, byte[] content) {
        blobs.put(digest, content);
    }

    /** The digests of the blobs asked for, in order. */
    List<String> blobRequests() {
        return requests.stream().filter(r -> r.contains("/blobs/")).map(r -> r.substring(r.lastIndexOf('/') + 1)).toList();
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = server.accept();
                Thread connection = new Thread(() -> serve(socket), "static-registry-connection");
                connection.setDaemon(true);
                connection.start();
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (String request; (request = requestLine(in)) != null; ) {
                requests.add(request);
                String path = request.split(" ")[1];
                String last = path.substring(path.lastIndexOf('/') + 1);
                byte[] body = null;
                String headers = "Content-Type: application/octet-stream\r\n";
                if (path.contains("/manifests/")) {
                    body = manifests.get(last);
                    headers = "Content-Type: " + mediaTypes.get(last) + "\r\n" + (body != null && digestHeader
                            ? "Docker-Content-Digest: " + digest(body, mediaTypes.get(last)) + "\r\n" : "");
                } else if (path.contains("/blobs/")) {
                    body = blobs.get(last);
                }
                String status = body == null ? "404 Not Found" : "200 OK";
                body = body == null ? new byte[0] : body;
                out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length + "\r\n" + headers + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                if (request.startsWith("GET ")) {
                    out.write(body);
                }
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** A manifest's digest as a registry gives it: of a schema 1 manifest, its JWS payload's. */
    private static String digest(byte[] manifest, String mediaType) {
        try {
            return Digests.of(MediaTypes.isSchema1(mediaType) ? Schema1.payload(manifest, "manifest") : manifest);
        } catch (IOException malformed) {
            return Digests.of(manifest);
        }
    }

    /** The method and path of the next request (its headers read), or null when the client closed the connection. */
    private static String requestLine(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            head.append((char) c);
        }
        String[] line = head.toString().split(" ", 3);
        return line[0] + " " + line[1];
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
