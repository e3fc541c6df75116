package io.kubundle.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

final class MainTest {
    private static final String BUNDLES = """
            {"bundles":[
              {"id":0,"symbolicName":"org.apache.felix.framework","version":"7.0.5","state":"ACTIVE",
               "location":"System Bundle","fragment":false,"services":[],"components":[]},
              {"id":7,"symbolicName":"io.kubundle.sample.greeter","version":"0.1.0","state":"ACTIVE",
               "location":"file:greeter.jar","fragment":false,
               "services":[{"id":12,"objectClass":["io.kubundle.sample.Greeter"],"name":"hello","componentName":"g"},
                           {"id":13,"objectClass":["java.lang.Runnable","java.io.Closeable"],"name":null,"componentName":null}],
               "components":[{"name":"g","state":"ACTIVE","problem":null}]}]}
            """;
    private static final String HEALTHY = """
            {"status":"ok","bundles":{"total":2,"active":2},"problems":[]}
            """;
    private static final String DEGRADED = """
            {"status":"degraded","bundles":{"total":2,"active":2},
             "problems":[{"bundle":"io.kubundle.sample.greeter","component":"g","state":"UNSATISFIED_REFERENCE",
                          "reason":"no Clock service"}]}
            """;

    /** path → status and body; what the test's admin endpoint answers. */
    private final Map<String, Map.Entry<Integer, String>> replies = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private HttpServer server;
    private String admin;

    @TempDir
    Path dir;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        admin = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        requests.add(exchange.getRequestMethod() + " " + path + " "
                + exchange.getRequestHeaders().getFirst("Authorization"));
        exchange.getRequestBody().readAllBytes();
        Map.Entry<Integer, String> reply = replies.getOrDefault(path, Map.entry(404, "{\"error\":\"not found\"}"));
        byte[] body = reply.getValue().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(reply.getKey(), body.length);
        try (OutputStream response = exchange.getResponseBody()) {
            response.write(body);
        }
    }

    private int run(String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private List<String> outLines() {
        return out.toString().lines().toList();
    }

    private String errLine() {
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), "stderr: " + err);
        return lines.get(0);
    }

    /** Every command and subcommand, as the words that name it. */
    static Stream<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), all);
        return all.stream();
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> all) {
        all.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            List<String> subPath = new ArrayList<>(path);
            subPath.add(name);
            collect(sub, subPath, all);
        });
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpWorksEverywhere(List<String> command) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");

        assertEquals(0, run(args.toArray(String[]::new)));
        assertTrue(out.toString().startsWith("Usage: " + String.join(" ", Stream.concat(Stream.of("kubundle"),
                command.stream()).toList())), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertEquals(2, run("frobnicate"));
        assertEquals("kubundle: Unmatched argument at index 0: 'frobnicate' (see 'kubundle --help')", errLine());
        assertEquals("", out.toString());
    }

    @Test
    void missingArgumentsAreUsageErrors() {
        assertEquals(2, run("bundles", "install"));
        assertEquals("kubundle: Missing required parameter: 'FILE' (see 'kubundle bundles install --help')", errLine());

        err.getBuffer().setLength(0);
        assertEquals(2, run("node"));
        assertTrue(errLine().startsWith("kubundle: give --server URL (with --token and --ca-file the first time), or --kubeconfig FILE"),
                errLine());

        err.getBuffer().setLength(0);
        assertEquals(2, run("node", "--server", "https://127.0.0.1:6443", "--data-dir", dir.toString()));
        assertTrue(errLine().startsWith("kubundle: this node has no credentials in " + dir.resolve("pki")
                + " yet: give --token and --ca-file to join"), errLine());

        err.getBuffer().setLength(0);
        assertEquals(2, run("cluster", "stop-node", "--name", "c"));
        assertTrue(errLine().startsWith("kubundle: Missing required option: '--node=<node>'"), errLine());

        err.getBuffer().setLength(0);
        assertEquals(2, run("bundles"));
        assertTrue(errLine().startsWith("kubundle: Missing required subcommand"));
    }

    @Test
    void badPortIsAUsageError() {
        assertEquals(2, run("up", "--port", "70000"));
        assertTrue(errLine().startsWith("kubundle: Invalid value for option '--port': 70000 is not a port"));
    }

    @Test
    void withoutKubundleHomeNothingStarts() {
        assertEquals(1, run("master", "--data-dir", dir.toString()));
        assertEquals("kubundle: kubundle.home is not set: run through bin/kubundle", errLine());
    }

    @Test
    void installingAMissingJarFailsBeforeAnyRequest() {
        Path missing = dir.resolve("missing.jar");

        assertEquals(1, run("bundles", "install", missing.toString(), "--admin", admin));
        assertEquals("kubundle: no such file: " + missing, errLine());
        assertEquals(List.of(), requests);
    }

    @Test
    void noProcessForTheDataDir() {
        assertEquals(1, run("bundles", "list", "--data-dir", dir.toString()));
        assertEquals("kubundle: no Kubundle process is running with data dir " + dir + " (no "
                + dir.resolve("admin.url") + ")", errLine());
    }

    @Test
    void listPrintsATable() throws IOException {
        replies.put("/bundles", Map.entry(200, BUNDLES));
        replies.put("/health", Map.entry(200, HEALTHY));
        Files.writeString(dir.resolve("admin.url"), admin);
        Files.writeString(dir.resolve("admin.token"), "t0k\n");

        assertEquals(0, run("bundles", "list", "--data-dir", dir.toString()));
        assertEquals(List.of(
                "ID   STATE    VERSION   SYMBOLIC NAME                SERVICES",
                "0    ACTIVE   7.0.5     org.apache.felix.framework",
                "7    ACTIVE   0.1.0     io.kubundle.sample.greeter   Greeter[hello], Runnable, Closeable"),
                outLines());
        assertEquals("", err.toString());
        assertEquals(List.of("GET /bundles Bearer t0k", "GET /health Bearer t0k"), requests);
    }

    @Test
    void listShowsProblemsAndExitsWithOneWhenDegraded() {
        replies.put("/bundles", Map.entry(200, BUNDLES));
        replies.put("/health", Map.entry(503, DEGRADED));

        assertEquals(1, run("bundles", "list", "--admin", admin));
        List<String> lines = outLines();
        assertEquals(List.of("", "Problems:",
                "  io.kubundle.sample.greeter g: UNSATISFIED_REFERENCE: no Clock service"),
                lines.subList(3, lines.size()));
        assertEquals("", err.toString());
    }

    @Test
    void listAsJson() throws IOException {
        replies.put("/bundles", Map.entry(200, BUNDLES));
        replies.put("/health", Map.entry(200, HEALTHY));

        assertEquals(0, run("bundles", "list", "--admin", admin, "--token", "x", "-o", "json"));
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(BUNDLES), json.readTree(out.toString()));
        assertEquals("GET /bundles Bearer x", requests.get(0));
    }

    @Test
    void changesPrintWhatHappened() throws IOException {
        String greeter = "{\"id\":7,\"symbolicName\":\"io.kubundle.sample.greeter\",\"version\":\"0.1.0\",\"state\":\"ACTIVE\"}";
        String greeter2 = "{\"id\":8,\"symbolicName\":\"io.kubundle.sample.greeter2\",\"version\":\"0.2.0\",\"state\":\"ACTIVE\"}";
        replies.put("/bundles", Map.entry(200, greeter));
        replies.put("/bundles/io.kubundle.sample.greeter", Map.entry(200, "{\"uninstalled\":" + greeter + "}"));
        replies.put("/bundles/io.kubundle.sample.greeter/swap", Map.entry(200, "{\"installed\":" + greeter2
                + ",\"removed\":" + greeter + ",\"gapMillis\":1.2345,\"interfaces\":{\"a.Greeter\":1.2345}}"));
        String jar = Files.writeString(dir.resolve("greeter.jar"), "jar").toString();

        assertEquals(0, run("bundles", "install", jar, "--admin", admin));
        assertEquals(0, run("bundles", "uninstall", "io.kubundle.sample.greeter", "--admin", admin));
        assertEquals(0, run("bundles", "swap", "io.kubundle.sample.greeter", jar, "--admin", admin));

        assertEquals(List.of(
                "installed io.kubundle.sample.greeter 0.1.0 (bundle 7, ACTIVE)",
                "uninstalled io.kubundle.sample.greeter 0.1.0",
                "swapped io.kubundle.sample.greeter 0.1.0 for io.kubundle.sample.greeter2 0.2.0:"
                        + " without a provider for 1.235 ms"),
                outLines());
    }

    @Test
    void serverErrorsAreOneLine() {
        assertEquals(1, run("bundles", "uninstall", "nope", "--admin", admin));
        assertEquals("kubundle: not found", errLine());
    }

    @Test
    void adminAndDataDirExcludeEachOther() {
        assertEquals(2, run("bundles", "list", "--admin", admin, "--data-dir", dir.toString()));
        assertTrue(errLine().startsWith("kubundle: --admin and --data-dir exclude each other"));
    }

    @Test
    void versionPrintsTheVersions() {
        assertEquals(0, run("version"));
        List<String> lines = outLines();
        assertTrue(lines.get(0).matches("kubundle \\S+"), lines.get(0));
        assertTrue(lines.get(1).startsWith("java " + Runtime.version()), lines.get(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"logs", "scale", "rollout", "taint"})
    void laterCommandsSayTheyAreNotAvailable(String command) {
        List<String> args = new ArrayList<>(List.of(command.split(" ")));
        args.addAll(List.of("some", "--thing", "-x", "y"));

        assertEquals(3, run(args.toArray(String[]::new)));
        assertEquals("kubundle " + command + ": not available in this version yet", errLine());
        assertEquals("", out.toString());
    }
}
