package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import io.kubundle.api.auth.ClusterCertificates;
import io.kubundle.api.auth.Decision;
import io.kubundle.api.auth.IssuedCertificate;
import io.kubundle.api.auth.UserInfo;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ContainerState;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.kubelet.internal.server.KubeletServer;
import io.kubundle.kubelet.internal.server.PodContainers;
import io.kubundle.security.internal.FileClusterCertificates;
import io.kubundle.security.internal.X509Authenticator;

/**
 * pods/log and pods/exec end to end without a kubelet core: this API server (over HTTPS, with the
 * cluster's real certificates and x509 authenticator) proxies to a real {@link KubeletServer} on
 * 127.0.0.1 that reads real CRI log files and execs real local processes; the clients are the
 * real kubectl and the JDK's HTTP and WebSocket clients.
 */
class PodStreamsTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final UserInfo ADMIN = new UserInfo("admin", "", List.of(UserInfo.SYSTEM_MASTERS), Map.of());

    @TempDir
    static Path dir;
    private static ClusterCertificates certificates;
    private static ExecutorService workers;
    private static EventLoopGroup kubeletLoop;
    private static ApiHandler handler;
    private static NettyApiServer server;
    private static KubeletServer kubelet;
    /** Container id ({@code ns/pod/name}, {@code /previous} for the instance before) to its log and state. */
    private static final Map<String, Path> logs = new ConcurrentHashMap<>();
    private static final Map<String, ContainerState> states = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        certificates = certificates(port);
        AccessControl access = new AccessControl();
        access.addAuthenticator(reference(), new X509Authenticator(certificates));
        // a user who may read logs but not exec, as RBAC's view role allows
        access.addAuthorizer(reference(), attributes -> attributes.user().name().equals("viewer")
                && "create".equals(attributes.verb()) ? Decision.DENY : Decision.ALLOW);
        ResourceTypes types = ResourceTypes.builtIn();
        workers = Executors.newCachedThreadPool();
        MemoryStore store = new MemoryStore();
        Resources resources = new Resources(new ObjectStorage(JSON, () -> store), types, JSON, () -> null, workers);
        resources.ensureInitialNamespaces();
        kubeletLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        IssuedCertificate client = certificates.issueClientCertificate(ApiServerComponent.KUBELET_CLIENT,
                List.of(UserInfo.SYSTEM_MASTERS), Duration.ofHours(1));
        KubeletProxy kubelets = new KubeletProxy(resources, types, KubeletProxy.clientTls(client.privateKey(),
                client.certificateChain(), certificates.caCertificate()), kubeletLoop);
        handler = new ApiHandler(types, resources, JSON, new BodyDecoder(), Executors.newSingleThreadScheduledExecutor(),
                "127.0.0.1:" + port, "test", access, null, kubelets);
        server = new NettyApiServer("127.0.0.1", port, ApiServerComponent.tls(certificates), handler, access::authenticate, workers);
        IssuedCertificate serving = certificates.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"), Duration.ofHours(1));
        kubelet = new KubeletServer("127.0.0.1", 0, serving.privateKey(), serving.certificateChain(), certificates.caCertificate(),
                new PodContainers() {
                    @Override
                    public Optional<LocatedContainer> find(String namespace, String pod, String container, boolean previous) {
                        return PodStreamsTest.find(namespace, pod, container, previous);
                    }

                    @Override
                    public SocketChannel connect(String namespace, String pod, int port) throws IOException {
                        // the pods share the host's network here, as hostNetwork pods do
                        return SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                    }
                });

        node("node-1", kubelet.port());
        try (ServerSocket closed = new ServerSocket(0)) {
            node("node-gone", closed.getLocalPort());
        }
        pod("web", "node-1", "nginx", "sidecar");
        pod("job", "node-1", "main");
        pod("refusing", "node-1", "main");
        pod("pending", "", "main");
        pod("lost", "node-gone", "main");
        call("POST", "/apis/apps/v1/namespaces/default/deployments", """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},
                "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}}}""");
        container("default/web/nginx", ContainerState.RUNNING, """
                2024-05-01T10:00:00.000000001Z stdout F hello
                2024-05-01T10:00:01Z stderr P wor
                2024-05-01T10:00:01.5Z stderr F ld
                """);
        container("default/web/nginx/previous", ContainerState.EXITED, "2024-05-01T09:00:00Z stdout F before the restart\n");
        container("default/web/sidecar", ContainerState.RUNNING, "2024-05-01T10:00:00Z stdout F sidecar up\n");
    }

    /** The cluster's certificates as the security bundle makes them, with a kubeconfig for this server's port. */
    private static ClusterCertificates certificates(int port) throws ReflectiveOperationException {
        BundleContext context = (BundleContext) Proxy.newProxyInstance(PodStreamsTest.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> method.getName().equals("getProperty")
                        ? Map.of("kubundle.data.dir", dir.toString(), "kubundle.api.port", Integer.toString(port)).get(args[0]) : null);
        Class<?> configType = Class.forName("io.kubundle.security.internal.SecurityConfig");
        Object config = Proxy.newProxyInstance(configType.getClassLoader(), new Class<?>[] {configType},
                (proxy, method, args) -> method.getName().equals("extraSans") ? new String[0] : null);
        return (ClusterCertificates) FileClusterCertificates.class.getConstructor(BundleContext.class, configType)
                .newInstance(context, config);
    }

    @SuppressWarnings("unchecked")
    private static <T> ServiceReference<T> reference() {
        return (ServiceReference<T>) Proxy.newProxyInstance(PodStreamsTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, method, args) -> method.getName().equals("compareTo") ? 0 : null);
    }

    @AfterAll
    static void stop() {
        kubelet.close();
        server.stop();
        kubeletLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownNow();
    }

    private static void call(String method, String path, String body) {
        String type = method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
        ApiResponse response = handler.handle(ApiRequest.of(method, path, Map.of("Content-Type", type)::get,
                body.getBytes(StandardCharsets.UTF_8)), ADMIN, null);
        assertTrue(response.status() < 300, method + " " + path + ": " + new String(response.body(), StandardCharsets.UTF_8));
    }

    private static void node(String name, int kubeletPort) {
        call("POST", "/api/v1/nodes", "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\"}}");
        call("PATCH", "/api/v1/nodes/" + name + "/status", "{\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"" + name
                + "\"},{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":"
                + kubeletPort + "}}}}");
    }

    private static void pod(String name, String node, String... containers) {
        StringBuilder list = new StringBuilder();
        for (String container : containers) {
            list.append(list.length() == 0 ? "" : ",").append("{\"name\":\"").append(container).append("\",\"image\":\"busybox\"}");
        }
        call("POST", "/api/v1/namespaces/default/pods", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"" + name + "\"}},\"spec\":{\"nodeName\":\"" + node + "\",\"containers\":[" + list + "]}}");
        call("PATCH", "/api/v1/namespaces/default/pods/" + name + "/status", "{\"status\":{\"phase\":\"Running\"}}");
    }

    private static void container(String id, ContainerState state, String log) throws IOException {
        Path file = dir.resolve(id.replace('/', '_') + ".log");
        Files.writeString(file, log);
        logs.put(id, file);
        states.put(id, state);
    }

    private static Optional<PodContainers.LocatedContainer> find(String namespace, String pod, String container, boolean previous) {
        String id = namespace + "/" + pod + "/" + container + (previous ? "/previous" : "");
        return Optional.ofNullable(logs.get(id)).map(log -> new PodContainers.LocatedContainer(id, log,
                states.get(id) == ContainerState.RUNNING, RUNTIME));
    }

    /** The runtime's calls the server makes: a container's state, exec as a local process, and attach, which it cannot. */
    @SuppressWarnings("unchecked")
    private static final ContainerRuntime RUNTIME = (ContainerRuntime) Proxy.newProxyInstance(PodStreamsTest.class.getClassLoader(),
            new Class<?>[] {ContainerRuntime.class}, (proxy, method, args) -> switch (method.getName()) {
                case "containerStatus" -> Optional.of(new ContainerStatus((String) args[0], "sandbox", "local", "c", 0,
                        states.get((String) args[0]), "busybox", "sha256:0", Instant.EPOCH, null, null, 0, "", "", "", Map.of(),
                        Map.of()));
                case "exec" -> new LocalProcess(new ProcessBuilder((List<String>) args[1]).redirectErrorStream((Boolean) args[2])
                        .redirectInput((Boolean) args[3] ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start());
                // a runtime without attach: the kubelet serves the container's log instead, and refuses stdin
                case "attach" -> throw "default/refusing/main".equals(args[0])
                        ? new RuntimeFailure("AttachError", "cannot attach to container main: Unix domain path too long")
                        : new RuntimeFailure("NotSupported", "this runtime cannot attach to a container");
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private record LocalProcess(Process process) implements ExecSession {
        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public InputStream stderr() {
            return process.getErrorStream();
        }

        @Override
        public CompletableFuture<Integer> exitCode() {
            return process.onExit().thenApply(Process::exitValue);
        }

        @Override
        public void resize(int columns, int rows) {
            // no terminal
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** What kubectl did. */
    private record Run(int exitCode, String stdout, String stderr) { }

    private static Run kubectl(String stdin, String... args) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(KUBECTL), KUBECTL + " is not installed");
        List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", dir.resolve("kubeconfig").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        String out = read(process.getInputStream());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "kubectl " + String.join(" ", args) + " did not end");
        return new Run(process.exitValue(), out, err.join());
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertRun(Run run, int exitCode, String stdout) {
        assertEquals(stdout, run.stdout(), run.stderr());
        assertEquals(exitCode, run.exitCode(), run.stderr());
    }

    @Test
    void kubectlLogs() throws Exception {
        assertRun(kubectl(null, "logs", "web", "-c", "nginx"), 0, "hello\nworld\n");
        // the tail counts the file's records, as the kubelet does: the last line's two records are two lines
        assertRun(kubectl(null, "logs", "web", "-c", "nginx", "--tail=2", "--timestamps"), 0, "2024-05-01T10:00:01.000000000Z world\n");
        assertRun(kubectl(null, "logs", "web", "-c", "nginx", "--since-time=2024-05-01T10:00:01Z"), 0, "world\n");
        assertRun(kubectl(null, "logs", "web", "-c", "nginx", "--limit-bytes=3"), 0, "hel");
        assertRun(kubectl(null, "logs", "web", "-c", "nginx", "--previous"), 0, "before the restart\n");
        assertRun(kubectl(null, "logs", "web", "-c", "sidecar"), 0, "sidecar up\n");
        Run defaulted = kubectl(null, "logs", "web");
        assertRun(defaulted, 0, "hello\nworld\n");
        assertTrue(defaulted.stderr().contains("Defaulted container \"nginx\" out of: nginx, sidecar"), defaulted.stderr());
        assertRun(kubectl(null, "logs", "deploy/web", "-c", "nginx"), 0, "hello\nworld\n");
        // kubectl reads the containers at once: their lines may come in either order
        Run all = kubectl(null, "logs", "-l", "app=web", "--all-containers", "--prefix");
        assertEquals(0, all.exitCode(), all.stderr());
        assertEquals(List.of("[pod/web/nginx] hello", "[pod/web/nginx] world", "[pod/web/sidecar] sidecar up"),
                all.stdout().lines().sorted().toList());
    }

    @Test
    void kubectlLogsFollowEndsWithTheContainer() throws Exception {
        container("default/job/main", ContainerState.RUNNING, "2024-05-01T10:00:00Z stdout F started\n");
        CompletableFuture<Run> follow = CompletableFuture.supplyAsync(() -> {
            try {
                return kubectl(null, "logs", "-f", "job");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1000);
        Files.writeString(logs.get("default/job/main"), "2024-05-01T10:00:01Z stdout F done\n", StandardOpenOption.APPEND);
        Thread.sleep(300);
        states.put("default/job/main", ContainerState.EXITED);
        assertRun(follow.get(20, TimeUnit.SECONDS), 0, "started\ndone\n");
    }

    @Test
    void kubectlLogsErrorsAreKubernetes() throws Exception {
        // kubectl reads the pod itself first
        assertEquals("error: error from server (NotFound): pods \"nope\" not found in namespace \"default\"\n",
                kubectl(null, "logs", "nope").stderr());
        assertEquals("error: container nope is not valid for pod web\n", kubectl(null, "logs", "web", "-c", "nope").stderr(),
                "kubectl checks too; the server's answer is the same words");
        ApiResponse invalid = handler.handle(ApiRequest.of("GET", "/api/v1/namespaces/default/pods/web/log?container=nope",
                Map.<String, String>of()::get, new byte[0]), ADMIN, null);
        assertEquals(400, invalid.status());
        assertEquals("BadRequest", JSON.readTree(invalid.body()).path("reason").asText());
        assertEquals("container nope is not valid for pod web", JSON.readTree(invalid.body()).path("message").asText());
        assertEquals("Error from server (BadRequest): pod pending does not have a host assigned\n",
                kubectl(null, "logs", "pending").stderr());
        Run lost = kubectl(null, "logs", "lost");
        assertEquals(1, lost.exitCode());
        assertTrue(lost.stderr().startsWith("Error from server (InternalError): Get \"https://127.0.0.1:"), lost.stderr());
        assertTrue(lost.stderr().contains("/containerLogs/default/lost/main\": Connection refused"), lost.stderr());
    }

    @Test
    void kubectlExec() throws Exception {
        Run run = kubectl(null, "exec", "web", "-c", "nginx", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertRun(run, 3, "out\n");
        assertTrue(run.stderr().startsWith("err\n"), run.stderr());
        assertTrue(run.stderr().contains("command terminated with exit code 3"), run.stderr());
        assertRun(kubectl("hello\nworld\n", "exec", "-i", "web", "-c", "nginx", "--", "tr", "a-z", "A-Z"), 0, "HELLO\nWORLD\n");
        Run lost = kubectl(null, "exec", "lost", "--", "true");
        assertEquals(1, lost.exitCode());
        assertTrue(lost.stderr().contains("/exec/default/lost/main?command=true&output=true&error=true\": Connection refused"),
                lost.stderr());
    }

    @Test
    void kubectlAttachShowsTheOutputUntilTheContainerExits() throws Exception {
        container("default/job/main", ContainerState.RUNNING, "2024-05-01T10:00:00Z stdout F before the attach\n");
        CompletableFuture<Run> attach = CompletableFuture.supplyAsync(() -> {
            try {
                return kubectl(null, "attach", "job");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1500);
        Files.writeString(logs.get("default/job/main"), "2024-05-01T10:00:01Z stdout F after the attach\n", StandardOpenOption.APPEND);
        Thread.sleep(500);
        states.put("default/job/main", ContainerState.EXITED);
        assertRun(attach.get(20, TimeUnit.SECONDS), 0, "after the attach\n");
        states.put("default/job/main", ContainerState.RUNNING);
        Run stdin = kubectl("", "attach", "-i", "job");
        assertEquals(1, stdin.exitCode());
        assertTrue(stdin.stderr().contains("this runtime cannot attach to a container"), stdin.stderr());
    }

    @Test
    void kubectlShowsTheReasonTheRuntimeRefusedAnAttachFor() throws Exception {
        container("default/refusing/main", ContainerState.RUNNING, "");
        Run refused = kubectl("", "attach", "-i", "refusing");
        assertEquals(1, refused.exitCode());
        // as text, kubectl read "cannot attach to container main: ..." as a YAML Status without a message
        assertTrue(refused.stderr().contains("cannot attach to container main: Unix domain path too long"), refused.stderr());
    }

    @Test
    void kubectlExecWithATerminal() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script (util-linux) gives kubectl a terminal");
        // script runs kubectl on a pseudo-terminal, so kubectl asks for a tty and sends the terminal's size
        assumeTrue(Files.isExecutable(KUBECTL), KUBECTL + " is not installed");
        Process process = new ProcessBuilder("/usr/bin/script", "-qec", KUBECTL + " --kubeconfig " + dir.resolve("kubeconfig")
                + " exec -it web -c nginx -- sh -c 'echo on a terminal; exit 4'", "/dev/null").redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = read(process.getInputStream());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertTrue(output.contains("on a terminal"), output);
        assertEquals(4, process.exitValue(), output);
    }

    @Test
    void kubectlCpStreamsATarThroughExec() throws Exception {
        Path source = Files.writeString(dir.resolve("notes.txt"), "copied through exec\n");
        Path target = Files.createDirectories(dir.resolve("in-the-container"));
        // the "container" is the host here: kubectl cp runs tar in it with the archive on stdin
        assertRun(kubectl(null, "cp", source.toString(), "web:" + target.resolve("notes.txt"), "-c", "nginx"), 0, "");
        assertEquals("copied through exec\n", Files.readString(target.resolve("notes.txt")));
        Path back = dir.resolve("back.txt");
        // tar's "Removing leading `/' from member names" comes through too, as with Kubernetes
        assertEquals(0, kubectl(null, "cp", "web:" + target.resolve("notes.txt"), back.toString(), "-c", "nginx").exitCode());
        assertEquals("copied through exec\n", Files.readString(back));
    }

    private static SSLContext tls(IssuedCertificate client) throws Exception {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", client.privateKey(), password, client.certificateChain().toArray(X509Certificate[]::new));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificates.caCertificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    private static HttpClient client(String user) throws Exception {
        return HttpClient.newBuilder().sslContext(tls(certificates.issueClientCertificate(user, List.of(), Duration.ofHours(1)))).build();
    }

    private static URI uri(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + server.port() + path);
    }

    @Test
    void logsAreTextStreamedFromTheKubelet() throws Exception {
        HttpResponse<String> logs = client("viewer").send(HttpRequest.newBuilder(uri("https",
                "/api/v1/namespaces/default/pods/web/log?container=nginx&timestamps=true")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, logs.statusCode());
        assertEquals("text/plain", logs.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("2024-05-01T10:00:00.000000001Z hello\n2024-05-01T10:00:01.000000000Z world\n", logs.body());
    }

    /** An exec's output per channel, and how it closed. */
    private static final class Channels implements WebSocket.Listener {
        final StringBuilder[] text = {new StringBuilder(), new StringBuilder(), new StringBuilder(), new StringBuilder()};
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final ByteArrayOutputStream message = new ByteArrayOutputStream();

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
    }

    @Test
    void execWithATerminalOverWebSocketMergesStderr() throws Exception {
        Channels channels = new Channels();
        WebSocket socket = client("admin").newWebSocketBuilder().subprotocols("v5.channel.k8s.io").buildAsync(uri("wss",
                "/api/v1/namespaces/default/pods/web/exec?container=sidecar&command=sh&command=-c&command=echo+a%3B+echo+b+%3E%262"
                        + "&stdout=true&tty=true"), channels).join();
        assertEquals("v5.channel.k8s.io", socket.getSubprotocol(), "negotiated with the kubelet");
        assertEquals(1000, channels.closed.get(10, TimeUnit.SECONDS));
        assertEquals("a\nb\n", channels.text[1].toString());
        assertEquals("{\"metadata\":{},\"status\":\"Success\"}", channels.text[3].toString());
    }

    @Test
    void execNeedsCreateOnPodsExec() throws Exception {
        CompletableFuture<WebSocket> refused = client("viewer").newWebSocketBuilder().subprotocols("v5.channel.k8s.io")
                .buildAsync(uri("wss", "/api/v1/namespaces/default/pods/web/exec?container=nginx&command=ls&stdout=true"),
                        new Channels());
        HttpResponse<?> response = ((WebSocketHandshakeException) org.junit.jupiter.api.Assertions.assertThrows(
                CompletionException.class, refused::join).getCause()).getResponse();
        assertEquals(403, response.statusCode());
        assertTrue(response.body().toString().contains("pods \\\"web\\\" is forbidden: User \\\"viewer\\\" cannot create resource"),
                response.body().toString());
    }

    @Test
    void kubectlPortForward() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), KUBECTL + " is not installed");
        try (ServerSocket echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()); ServerSocket closed = new ServerSocket(0)) {
            workers.execute(() -> {
                try (Socket connection = echo.accept()) {
                    String line = new java.io.BufferedReader(new java.io.InputStreamReader(connection.getInputStream(),
                            StandardCharsets.UTF_8)).readLine();
                    connection.getOutputStream().write(("echo: " + line + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the test fails on what it reads
                }
            });
            int nothing = closed.getLocalPort();
            closed.close();
            int[] local = new int[2];
            for (int i = 0; i < 2; i++) {
                try (ServerSocket probe = new ServerSocket(0)) {
                    local[i] = probe.getLocalPort();
                }
            }
            Path output = dir.resolve("port-forward.out");
            Process forward = new ProcessBuilder(KUBECTL.toString(), "--kubeconfig", dir.resolve("kubeconfig").toString(),
                    "port-forward", "pod/web", local[0] + ":" + echo.getLocalPort(), local[1] + ":" + nothing)
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                awaitText(output, "Forwarding from 127.0.0.1:" + local[1] + " -> " + nothing);
                try (Socket client = new Socket("127.0.0.1", local[0])) {
                    client.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
                    assertEquals("echo: ping", new java.io.BufferedReader(new java.io.InputStreamReader(client.getInputStream(),
                            StandardCharsets.UTF_8)).readLine());
                }
                try (Socket client = new Socket("127.0.0.1", local[1])) {
                    assertEquals(-1, client.getInputStream().read(), "nothing listens there: the connection ends");
                }
                awaitText(output, "error forwarding port " + nothing + " to pod default/web: Connection refused");
            } finally {
                forward.destroy();
            }
        }
    }

    private static void awaitText(Path file, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(file).contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.readString(file).contains(text), Files.readString(file));
    }
}
