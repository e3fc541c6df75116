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
 * malformed manifest, and checks blobs on upload): manifests by tag with a media type, blobs by
 * digest, and a record of the blob requests. HTTP/1.1 GETs with keep-alive, one thread a
 * connection.
 */
final class StaticRegistry implements AutoCloseable {
    private final ServerSocket server;
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> mediaTypes = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    /** The digests of the blobs asked for, in order. */
    final List<String> blobRequests = new CopyOnWriteArrayList<>();

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
            for (String path; (path = requestPath(in)) != null; ) {
                String last = path.substring(path.lastIndexOf('/') + 1);
                byte[] body = null;
                String type = "application/octet-stream";
                if (path.contains("/manifests/")) {
                    body = manifests.get(last);
                    type = mediaTypes.get(last);
                } else if (path.contains("/blobs/")) {
                    blobRequests.add(last);
                    body = blobs.get(last);
                }
                String status = body == null ? "404 Not Found" : "200 OK";
                body = body == null ? new byte[0] : body;
                out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + body.length + "\r\nContent-Type: " + type + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** The path of the next request (its headers read), or null when the client closed the connection. */
    private static String requestPath(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            head.append((char) c);
        }
        return head.toString().split(" ", 3)[1];
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
