package io.kubundle.kubelet.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.runtime.ContainerState;

/** The kubelet's HTTPS paths, driven by the JDK's HTTP and WebSocket clients as the API server's proxy drives them. */
class KubeletServerTest {
    @TempDir
    static Path dir;
    private static TestPki pki;
    private static final LocalProcesses node = new LocalProcesses();
    private static KubeletServer server;
    private static HttpClient apiServer;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(Files.createDirectory(dir.resolve("pki")));
        server = new KubeletServer("127.0.0.1", 0, pki.server.key(), List.of(pki.server.certificate()), pki.ca, node);
        apiServer = client(pki.clientContext(pki.apiServerClient));
        Files.writeString(dir.resolve("web.log"), "2024-05-01T10:00:00Z stdout F hello\n2024-05-01T10:00:01Z stderr F world\n");
        node.add("default/web/nginx", dir.resolve("web.log"), ContainerState.RUNNING);
    }

    @AfterAll
    static void stop() {
        server.close();
        node.killConsoles();
    }

    private static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).build();
    }

    private static URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> get(HttpClient client, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void containerLogs() throws Exception {
        HttpResponse<String> logs = get(apiServer, "/containerLogs/default/web/nginx");
        assertEquals(200, logs.statusCode());
        assertEquals("hello\nworld\n", logs.body());
        assertEquals("text/plain; charset=utf-8", logs.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("2024-05-01T10:00:01.000000000Z world\n", get(apiServer, "/containerLogs/default/web/nginx?tailLines=1&timestamps=true").body());
    }

    @Test
    void unknownContainersAndBadParametersAre400WithTheKubeletsMessages() throws Exception {
        HttpResponse<String> missing = get(apiServer, "/containerLogs/default/web/sidecar");
        assertEquals(400, missing.statusCode());
        assertEquals("container \"sidecar\" in pod \"web\" is waiting to start", missing.body());
        assertEquals("previous terminated container \"nginx\" in pod \"web\" not found",
                get(apiServer, "/containerLogs/default/web/nginx?previous=true").body());
        HttpResponse<String> bad = get(apiServer, "/containerLogs/default/web/nginx?tailLines=x");
        assertEquals(400, bad.statusCode());
        assertEquals("tailLines must be a number: x", bad.body());
        assertEquals(404, get(apiServer, "/pods").statusCode());
        assertEquals(400, get(apiServer, "/attach/default/web/nginx?output=1").statusCode(), "attach is an upgrade");
        assertEquals(400, get(apiServer, "/portForward/default/web").statusCode(), "only over SPDY");
    }

    @Test
    void followStreamsLinesAsTheyAreWrittenUntilTheContainerExits() throws Exception {
        Path log = dir.resolve("job.log");
        Files.writeString(log, "2024-05-01T10:00:00Z stdout F started\n");
        node.add("default/job/main", log, ContainerState.RUNNING);
        HttpResponse<InputStream> response = apiServer.send(HttpRequest.newBuilder(uri("/containerLogs/default/job/main?follow=true")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode(), "the head comes at once");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertEquals("started", lines.readLine());
            Files.writeString(log, "2024-05-01T10:00:01Z stdout F working\n", StandardOpenOption.APPEND);
            assertEquals("working", lines.readLine());
            Files.writeString(log, "2024-05-01T10:00:02Z stdout F done\n", StandardOpenOption.APPEND);
            node.exit("default/job/main");
            assertEquals("done", lines.readLine());
            assertEquals(null, lines.readLine(), "the stream ends with the container");
        }
    }

    @Test
    void onlyTheApiServersCertificateIsServed() throws Exception {
        HttpResponse<String> node = get(client(pki.clientContext(pki.nodeClient)), "/containerLogs/default/web/nginx");
        assertEquals(403, node.statusCode());
        assertThrows(IOException.class, () -> get(client(pki.clientContext(null)), "/healthz"), "no client certificate, no TLS");
    }

    /** What an exec sent back: the output per channel, and how the connection closed. */
    private static final class Channels implements WebSocket.Listener {
        final StringBuilder[] text = {new StringBuilder(), new StringBuilder(), new StringBuilder(), new StringBuilder()};
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            message.writeBytes(bytes);
            if (last) {
                byte[] whole = message.toByteArray();
                message.reset();
                text[whole[0]].append(new String(whole, 1, whole.length - 1, StandardCharsets.UTF_8));
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.completeExceptionally(error);
        }

        synchronized String channel(int channel) {
            return text[channel].toString();
        }
    }

    private static WebSocket exec(String protocol, String query, Channels listener) {
        return open("/exec/default/web/nginx?" + query, protocol, listener).join();
    }

    private static CompletableFuture<WebSocket> open(String path, String protocol, Channels listener) {
        return apiServer.newWebSocketBuilder().subprotocols(protocol).buildAsync(URI.create("wss://127.0.0.1:" + server.port() + path),
                listener);
    }

    @Test
    void attachShowsTheOutputFromNowOnUntilTheContainerExits() throws Exception {
        Path log = dir.resolve("attached.log");
        Files.writeString(log, "2024-05-01T10:00:00Z stdout F written before the attach\n");
        node.add("default/attached/main", log, ContainerState.RUNNING);
        Channels channels = new Channels();
        open("/attach/default/attached/main?output=1&error=1", "v5.channel.k8s.io", channels).join();
        Thread.sleep(3 * ContainerLogs.POLL.toMillis());
        Files.writeString(log, "2024-05-01T10:00:01Z stdout F out\n2024-05-01T10:00:02Z stderr F err\n", StandardOpenOption.APPEND);
        Thread.sleep(3 * ContainerLogs.POLL.toMillis());
        node.exit("default/attached/main");
        assertEquals(1000, channels.closed.get(10, TimeUnit.SECONDS));
        assertEquals("out\n", channels.channel(1));
        assertEquals("err\n", channels.channel(2));
        assertEquals("{\"metadata\":{},\"status\":\"Success\"}", channels.channel(3));
    }

    @Test
    void attachWithStdinGoesToTheContainersStdinAndSizesItsTerminal() throws Exception {
        node.addConsole("default/console/main", dir.resolve("console.log"), List.of("tr", "a-z", "A-Z"), true);
        Channels channels = new Channels();
        WebSocket socket = open("/attach/default/console/main?input=1&output=1&error=1&tty=1", "v5.channel.k8s.io", channels).join();
        socket.sendBinary(ByteBuffer.wrap("\4{\"Width\":100,\"Height\":40}".getBytes(StandardCharsets.UTF_8)), true).join();
        socket.sendBinary(ByteBuffer.wrap("\0hello\n".getBytes(StandardCharsets.UTF_8)), true).join();
        // kubectl's stdin ended: the runtime decides what that means for the container's (stdinOnce)
        socket.sendBinary(ByteBuffer.wrap(new byte[] {ExecChannel.CLOSE, ExecChannel.STDIN}), true).join();
        assertEquals(1000, channels.closed.get(10, TimeUnit.SECONDS));
        assertEquals("HELLO\n", channels.channel(1));
        // an attach ends with Success whatever the container's exit code: kubectl takes that from the pod
        assertEquals("{\"metadata\":{},\"status\":\"Success\"}", channels.channel(3));
        assertEquals(List.of(100, 40), List.of(node.sizes.get("default/console/main")[0], node.sizes.get("default/console/main")[1]));
    }

    @Test
    void stdinSentTheMomentTheUpgradeIsAnsweredIsKeptWhileTheWorkerLagsBehind() throws Exception {
        // the worker that answered the upgrade goes on 500 ms later, as in a cold JVM or on a loaded
        // machine: kubectl's first frames (its stdin, then its end) came before, and were dropped
        try (KubeletServer lagging = new KubeletServer("127.0.0.1", 0, pki.server.key(), List.of(pki.server.certificate()), pki.ca,
                node, () -> sleep(500))) {
            node.addConsole("default/early/main", dir.resolve("early.log"), List.of("tr", "a-z", "A-Z"), true);
            Channels channels = new Channels();
            WebSocket socket = apiServer.newWebSocketBuilder().subprotocols("v5.channel.k8s.io")
                    .buildAsync(URI.create("wss://127.0.0.1:" + lagging.port() + "/attach/default/early/main?input=1&output=1&error=1"),
                            channels).join();
            socket.sendBinary(ByteBuffer.wrap("\0hello\n".getBytes(StandardCharsets.UTF_8)), true).join();
            socket.sendBinary(ByteBuffer.wrap(new byte[] {ExecChannel.CLOSE, ExecChannel.STDIN}), true).join();
            assertEquals(1000, channels.closed.get(10, TimeUnit.SECONDS));
            assertEquals("HELLO\n", channels.channel(1));
        }
    }

    /**
     * The message of a refused upgrade, which is a 400 {@code Status}: kubectl reads any error body as
     * a Status (YAML too), so a text "cannot attach to container c: reason" would reach the user as an
     * empty error.
     */
    private static String message(HttpResponse<?> refusal) throws IOException {
        assertEquals(400, refusal.statusCode());
        com.fasterxml.jackson.databind.JsonNode status = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(refusal.body().toString());
        assertEquals("Status", status.path("kind").asText(), status.toString());
        assertEquals("Failure", status.path("status").asText(), status.toString());
        assertEquals("BadRequest", status.path("reason").asText(), status.toString());
        assertEquals(400, status.path("code").asInt(), status.toString());
        return status.path("message").asText();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void anAttachTheRuntimeRefusesIsA400WithItsMessage() throws Exception {
        node.addConsole("default/quiet/main", dir.resolve("quiet.log"), List.of("sleep", "30"), false);
        Throwable refused = assertThrows(java.util.concurrent.CompletionException.class,
                () -> open("/attach/default/quiet/main?input=1&output=1", "v5.channel.k8s.io", new Channels()).join()).getCause();
        HttpResponse<?> refusal = ((java.net.http.WebSocketHandshakeException) refused).getResponse();
        assertEquals(400, refusal.statusCode());
        assertEquals("container default/quiet/main was not created with stdin: true", message(refusal));
        // kubectl's retry over SPDY hears the same
        assertEquals("container default/quiet/main was not created with stdin: true",
                message(get(apiServer, "/attach/default/quiet/main?input=1&output=1")));
        // a runtime that cannot attach: its output comes from the log, but stdin cannot be had
        Throwable unsupported = assertThrows(java.util.concurrent.CompletionException.class,
                () -> open("/attach/default/web/nginx?input=1&output=1", "v5.channel.k8s.io", new Channels()).join()).getCause();
        HttpResponse<?> answer = ((java.net.http.WebSocketHandshakeException) unsupported).getResponse();
        assertEquals(400, answer.statusCode());
        assertEquals("the local runtime cannot attach to a container", message(answer));
    }

    @Test
    void execSendsOutputThenTheExitCodeAsAStatus() throws Exception {
        Channels channels = new Channels();
        WebSocket socket = exec("v5.channel.k8s.io", "command=sh&command=-c&command=echo+out%3B+echo+err+%3E%262%3B+exit+3&output=1&error=1",
                channels);
        assertEquals("v5.channel.k8s.io", socket.getSubprotocol());
        assertEquals(1000, channels.closed.get(10, TimeUnit.SECONDS));
        assertEquals("out\n", channels.channel(1));
        assertEquals("err\n", channels.channel(2));
        assertEquals("{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: error executing command "
                + "[sh, -c, echo out; echo err >&2; exit 3], exit code 3\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
                + "[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}", channels.channel(3));
    }

    @Test
    void execReadsStdinUntilTheV5CloseSignal() throws Exception {
        Channels channels = new Channels();
        WebSocket socket = exec("v5.channel.k8s.io", "command=tr&command=a-z&command=A-Z&input=1&output=1&error=1", channels);
        socket.sendBinary(ByteBuffer.wrap("\0hello ".getBytes(StandardCharsets.UTF_8)), true).join();
        socket.sendBinary(ByteBuffer.wrap("\0world\n".getBytes(StandardCharsets.UTF_8)), true).join();
        socket.sendBinary(ByteBuffer.wrap(new byte[] {ExecChannel.CLOSE, ExecChannel.STDIN}), true).join();
        assertEquals(1000, channels.closed.get(10, TimeUnit.SECONDS));
        assertEquals("HELLO WORLD\n", channels.channel(1));
        assertEquals("{\"metadata\":{},\"status\":\"Success\"}", channels.channel(3));
    }

    @Test
    void v4IsSpokenToo() throws Exception {
        Channels channels = new Channels();
        WebSocket socket = exec("v4.channel.k8s.io", "command=true&output=1", channels);
        assertEquals("v4.channel.k8s.io", socket.getSubprotocol());
        assertEquals(1000, channels.closed.get(10, TimeUnit.SECONDS));
        assertEquals("{\"metadata\":{},\"status\":\"Success\"}", channels.channel(3));
    }

    @Test
    void aCommandThatCannotStartIsAFailureStatus() throws Exception {
        Channels channels = new Channels();
        exec("v5.channel.k8s.io", "command=/no/such/command&output=1", channels);
        assertEquals(1000, channels.closed.get(10, TimeUnit.SECONDS));
        assertTrue(channels.channel(3).contains("\"reason\":\"InternalError\""), channels.channel(3));
        assertTrue(channels.channel(3).contains("failed to exec in container"), channels.channel(3));
    }

    @Test
    void execRefusesWhatItCannotServe() throws Exception {
        assertEquals("Upgrade request required: this kubelet speaks v5.channel.k8s.io, v4.channel.k8s.io over WebSocket",
                message(get(apiServer, "/exec/default/web/nginx?command=ls&output=1")));
        node.add("default/done/main", dir.resolve("done.log"), ContainerState.EXITED);
        CompletableFuture<WebSocket> stopped = apiServer.newWebSocketBuilder().subprotocols("v5.channel.k8s.io")
                .buildAsync(URI.create("wss://127.0.0.1:" + server.port() + "/exec/default/done/main?command=ls&output=1"), new Channels());
        Throwable failure = assertThrows(java.util.concurrent.CompletionException.class, stopped::join).getCause();
        HttpResponse<?> refusal = ((java.net.http.WebSocketHandshakeException) failure).getResponse();
        assertEquals(400, refusal.statusCode());
        assertEquals("container \"main\" in pod \"done\" is not running", message(refusal));
    }
}
