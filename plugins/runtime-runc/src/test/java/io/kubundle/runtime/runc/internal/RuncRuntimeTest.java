package io.kubundle.runtime.runc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.ContainerConfig.Security;
import io.kubundle.api.runtime.ContainerState;
import io.kubundle.api.runtime.ContainerStatus;
import io.kubundle.api.runtime.ExecResult;
import io.kubundle.api.runtime.ExecSession;
import io.kubundle.api.runtime.Mount;
import io.kubundle.api.runtime.Resources;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxConfig;
import io.kubundle.api.runtime.SandboxStatus;
import io.kubundle.runtime.support.Commands;
import io.kubundle.runtime.support.Records;

/** Runs real containers with runc (as root, with busybox-static at /bin/busybox). */
final class RuncRuntimeTest {
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private static Path imageDir;
    private static TestImages images;

    private Path root;
    private String cgroupBase;
    private RuncRuntime runtime;
    private final List<String> netns = new ArrayList<>();

    @BeforeAll
    static void image() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "runc tests need root");
        imageDir = Files.createTempDirectory("runc-image");
        images = new TestImages(imageDir, TestImages.shell());
        Files.setPosixFilePermissions(imageDir.resolve("layer1/tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    @AfterAll
    static void deleteImage() throws IOException {
        if (imageDir != null) {
            deleteTree(imageDir);
        }
    }

    @BeforeEach
    void start() throws IOException {
        root = Files.createTempDirectory("runc-root");
        cgroupBase = "kubundle-test-" + UUID.randomUUID().toString().substring(0, 8);
        runtime = new RuncRuntime(images, root, "runc", CGROUPS);
        assertTrue(runtime.availability().available(), runtime.availability().reason());
    }

    @AfterEach
    void cleanUp() throws Exception {
        RuncRuntime cleaner = runtime;
        for (ContainerStatus container : cleaner.listContainers()) {
            cleaner.removeContainer(container.id());
        }
        for (SandboxStatus sandbox : cleaner.listSandboxes()) {
            cleaner.stopSandbox(sandbox.id(), Duration.ZERO);
            cleaner.removeSandbox(sandbox.id());
        }
        cleaner.close();
        for (String name : netns) {
            Commands.check(List.of("ip", "netns", "delete", name), Duration.ofSeconds(10));
        }
        Commands.Result list = Commands.run(List.of("runc", "--root", root.resolve("runc").toString(), "list", "-q"),
                Duration.ofSeconds(10));
        assertEquals("", list.output(), "runc still knows containers");
        assertFalse(Files.readString(Path.of("/proc/mounts")).contains(root.toString()), "a mount is left");
        try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
            for (Path hierarchy : hierarchies.toList()) {
                Path base = hierarchy.resolve(cgroupBase);
                if (Files.isDirectory(base)) {
                    try (Stream<Path> left = Files.list(base).filter(Files::isDirectory)) {
                        assertEquals(List.of(), left.toList(), "cgroups left in " + base);
                    }
                    Files.delete(base);
                }
            }
        }
        deleteTree(root);
    }

    @Test
    void runsAContainerAndLogsItsOutputAsCriLines() throws Exception {
        String sandbox = sandbox(null);
        ContainerStatus status = run(sandbox, container("hello",
                List.of("sh", "-c", "echo out1; echo err1 >&2; sleep 0.1; echo out2; printf tail")));
        assertEquals(ContainerState.EXITED, status.state());
        assertEquals(0, status.exitCode());
        assertEquals("Completed", status.reason());
        assertNotNull(status.startedAt());
        assertNotNull(status.finishedAt());
        assertEquals(TestImages.ID, status.imageId());
        assertEquals("hello", status.labels().get("c"));
        List<String> lines = Files.readAllLines(Path.of(status.logPath()));
        assertTrue(lines.stream().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z (stdout|stderr) [FP] .*")),
                lines.toString());
        List<String> contents = lines.stream().map(RuncRuntimeTest::content).sorted().toList();
        assertEquals(List.of("stderr F err1", "stdout F out1", "stdout F out2", "stdout P tail"), contents);
    }

    @Test
    void exitCodeOneIsAnError() throws Exception {
        ContainerStatus status = run(sandbox(null), container("fail", List.of("sh", "-c", "exit 1")));
        assertEquals(1, status.exitCode());
        assertEquals("Error", status.reason());
    }

    @Test
    void aMissingCommandIsAStartError() throws Exception {
        String sandbox = sandbox(null);
        String id = runtime.createContainer(sandbox, container("missing", List.of("nothere")));
        RuntimeFailure failure = assertThrows(RuntimeFailure.class, () -> runtime.startContainer(id));
        assertEquals("StartError", failure.reason());
        assertTrue(failure.getMessage().contains("executable file not found"), failure.getMessage());
        ContainerStatus status = runtime.containerStatus(id).orElseThrow();
        assertEquals(ContainerState.EXITED, status.state());
        assertEquals(128, status.exitCode());
        assertEquals("StartError", status.reason());
        assertTrue(status.message().contains("\"nothere\""), status.message());
    }

    @Test
    void aContainerOverItsMemoryLimitIsOomKilled() throws Exception {
        ContainerConfig hog = with(container("hog", List.of("sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a)")),
                new Resources(2, 0, 0, 32L << 20));
        ContainerStatus status = run(sandbox(null), hog);
        assertEquals("OOMKilled", status.reason());
        assertEquals(137, status.exitCode());
    }

    @Test
    void stopSendsTermAndWaitsForTheContainer() throws Exception {
        String sandbox = sandbox(null);
        String id = started(sandbox, container("graceful",
                List.of("sh", "-c", "trap 'echo got TERM; exit 3' TERM; echo ready; while true; do sleep 0.1; done")));
        awaitLog(id, "ready");
        long begin = System.nanoTime();
        runtime.stopContainer(id, Duration.ofSeconds(10));
        assertTrue(Duration.ofNanos(System.nanoTime() - begin).toMillis() < 5000);
        ContainerStatus status = runtime.containerStatus(id).orElseThrow();
        assertEquals(ContainerState.EXITED, status.state());
        assertEquals(3, status.exitCode());
        assertTrue(log(id).contains("stdout F got TERM"), log(id).toString());
        runtime.stopContainer(id, Duration.ofSeconds(10));
    }

    @Test
    void stopKillsAContainerIgnoringTermAfterTheGracePeriod() throws Exception {
        String id = started(sandbox(null), container("stubborn",
                List.of("sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done")));
        awaitLog(id, "ready");
        long begin = System.nanoTime();
        runtime.stopContainer(id, Duration.ofSeconds(1));
        long millis = Duration.ofNanos(System.nanoTime() - begin).toMillis();
        assertTrue(millis >= 1000 && millis < 5000, millis + " ms");
        ContainerStatus status = runtime.containerStatus(id).orElseThrow();
        assertEquals(137, status.exitCode());
        assertEquals("Error", status.reason());
    }

    @Test
    void containersOfASandboxShareItsNetworkNamespaceAndHostname() throws Exception {
        String name = "kbt-" + UUID.randomUUID().toString().substring(0, 8);
        Commands.check(List.of("ip", "netns", "add", name), Duration.ofSeconds(10));
        netns.add(name);
        Commands.check(List.of("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"), Duration.ofSeconds(10));
        String sandbox = sandbox("/run/netns/" + name);
        started(sandbox, container("server", List.of("httpd", "-f", "-p", "8080", "-h", "/etc")));
        ContainerStatus client = run(sandbox, container("client", List.of("sh", "-c",
                "hostname; for i in $(seq 50); do wget -qO- http://localhost:8080/layer2 && exit 0; sleep 0.1; done; exit 1")));
        assertEquals(0, client.exitCode(), log(client.id()).toString());
        assertEquals(List.of("stdout F podhost", "stdout F from layer 2"), log(client.id()));
    }

    @Test
    void execSyncReturnsOutputAndExitCodeAndTimesOut() throws Exception {
        String id = started(sandbox(null), container("idle", List.of("sleep", "1000")));
        ExecResult result = runtime.execSync(id, List.of("sh", "-c", "echo hi; echo oops >&2; exit 7"), Duration.ofSeconds(10));
        assertEquals(7, result.exitCode());
        assertEquals("hi\n", new String(result.stdout(), StandardCharsets.UTF_8));
        assertEquals("oops\n", new String(result.stderr(), StandardCharsets.UTF_8));

        long begin = System.nanoTime();
        RuntimeFailure timeout = assertThrows(RuntimeFailure.class,
                () -> runtime.execSync(id, List.of("sleep", "30"), Duration.ofMillis(500)));
        assertEquals("Timeout", timeout.reason());
        assertTrue(Duration.ofNanos(System.nanoTime() - begin).toMillis() < 5000);
        ExecResult ps = runtime.execSync(id, List.of("ps", "-o", "args"), Duration.ofSeconds(10));
        assertEquals(0, ps.exitCode());
        assertTrue(new String(ps.stdout(), StandardCharsets.UTF_8).contains("sleep 1000"));
        assertFalse(new String(ps.stdout(), StandardCharsets.UTF_8).contains("sleep 30"), "the timed-out command was killed");

        RuntimeFailure missing = assertThrows(RuntimeFailure.class,
                () -> runtime.execSync(id, List.of("nothere"), Duration.ofSeconds(10)));
        assertTrue(missing.getMessage().contains("executable file not found"), missing.getMessage());

        try (ExecSession session = runtime.exec(id, List.of("sh", "-c", "cat; echo done >&2"), false, true)) {
            session.stdin().write("hello\n".getBytes(StandardCharsets.UTF_8));
            session.stdin().close();
            assertEquals("hello\n", new String(session.stdout().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("done\n", new String(session.stderr().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(0, session.exitCode().get().intValue());
        }
        try (ExecSession session = runtime.exec(id, List.of("sh", "-c", "tty; sleep 1; stty size; exit 4"), true, false)) {
            session.resize(123, 45);
            String output = new String(session.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(output.contains("/dev/pts/"), output);
            assertTrue(output.contains("45 123"), output);
            assertFalse(output.contains("\0"), "script(1) sent the terminal an end-of-file");
            assertEquals(4, session.exitCode().get().intValue());
        }
    }

    @Test
    void appliesEnvironmentWorkingDirectoryUserMountsAndReadOnlyRoot() throws Exception {
        Path data = Files.createDirectories(root.resolve("volume"));
        Files.writeString(data.resolve("in"), "from host\n");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        ContainerConfig base = container("settings", List.of("sh", "-c",
                "echo $FROM_IMAGE $OVERRIDDEN $NEW; pwd; id -u; id -g; cat /data/in; echo out > /data/out;"
                        + " touch /tmp/x 2>&1; cat /etc/layer2; cat /etc/motd 2>&1; cat /etc/resolv.conf"));
        Path resolv = Files.writeString(root.resolve("resolv.conf"), "nameserver 10.96.0.10\n");
        ContainerConfig config = new ContainerConfig(base.name(), 0, base.image(), base.command(), List.of(), "/tmp",
                List.of(new ContainerConfig.EnvVar("OVERRIDDEN", "config"), new ContainerConfig.EnvVar("NEW", "1")),
                List.of(new Mount(data.toString(), "/data", false), new Mount(resolv.toString(), "/etc/resolv.conf", true)),
                base.logPath(), Resources.NONE,
                new Security(1000L, null, true, false), false, false, Map.of(), Map.of());
        ContainerStatus status = run(sandbox(null), config);
        List<String> lines = log(status.id());
        assertEquals("stdout F yes config 1", lines.get(0));
        assertEquals(List.of("stdout F /tmp", "stdout F 1000", "stdout F 1001", "stdout F from host"), lines.subList(1, 5));
        assertTrue(lines.get(5).contains("Read-only file system"), lines.toString());
        assertEquals("stdout F from layer 2", lines.get(6));
        assertTrue(lines.get(7).contains("No such file"), lines.toString());
        // a mount on /etc/resolv.conf (the kubelet's cluster DNS) covers the runtime's copy of the host's
        assertEquals(List.of("stdout F nameserver 10.96.0.10"), lines.subList(8, lines.size()));
        assertEquals("out\n", Files.readString(data.resolve("out")));
    }

    @Test
    void takesTheImageUserByNameAndGivesPrivilegedContainersEveryCapability() throws Exception {
        String sandbox = sandbox(null);
        ContainerConfig base = container("app", List.of("sh", "-c", "id -u; id -g"));
        ContainerConfig app = new ContainerConfig(base.name(), 0, TestImages.APP_IMAGE, base.command(), List.of(), null,
                List.of(), List.of(), base.logPath(), Resources.NONE, Security.DEFAULT, false, false, Map.of(), Map.of());
        assertEquals(List.of("stdout F 1000", "stdout F 50"), log(run(sandbox, app).id()));
        // containerd's fourteen (Docker's CapEff), CAP_NET_RAW among them
        assertEquals(List.of("stdout F CapEff:\t00000000a80425fb"),
                log(run(sandbox, container("root", List.of("grep", "CapEff", "/proc/self/status"))).id()));
        ContainerConfig privileged = new ContainerConfig("privileged", 0, TestImages.IMAGE,
                List.of("grep", "CapEff", "/proc/self/status"), List.of(), null, List.of(), List.of(),
                root.resolve("logs/privileged.log").toString(), Resources.NONE, new Security(null, null, false, true),
                false, false, Map.of(), Map.of());
        String own = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapBnd:"))
                .findFirst().orElseThrow().substring("CapBnd:".length());
        assertEquals(List.of("stdout F CapEff:" + own), log(run(sandbox, privileged).id()));
    }

    @Test
    void writesTheCgroupLimits() throws Exception {
        String sandbox = sandbox(null);
        String id = started(sandbox, with(container("limited", List.of("sleep", "1000")),
                new Resources(512, 50_000, 100_000, 64L << 20)));
        String cgroup = cgroupBase + "/pod/" + id;
        assertEquals("512", Files.readString(CGROUPS.resolve("cpu").resolve(cgroup).resolve("cpu.shares")).strip());
        assertEquals("50000", Files.readString(CGROUPS.resolve("cpu").resolve(cgroup).resolve("cpu.cfs_quota_us")).strip());
        assertEquals("100000", Files.readString(CGROUPS.resolve("cpu").resolve(cgroup).resolve("cpu.cfs_period_us")).strip());
        assertEquals(Long.toString(64L << 20),
                Files.readString(CGROUPS.resolve("memory").resolve(cgroup).resolve("memory.limit_in_bytes")).strip());
        assertEquals(Long.toString(256L << 20), Files.readString(
                CGROUPS.resolve("memory").resolve(cgroupBase + "/pod/memory.limit_in_bytes")).strip());
    }

    @Test
    void aNewInstanceAdoptsRunningContainersWithoutLosingOrRepeatingLogLines() throws Exception {
        String sandbox = sandbox(null);
        String id = started(sandbox, container("ticker", TestPods.TICKER));
        awaitLog(id, "line 5");
        runtime.close();
        Thread.sleep(500);
        assertEquals("running", Records.JSON.readTree(Commands.run(List.of("runc", "--root",
                root.resolve("runc").toString(), "state", id), Duration.ofSeconds(10)).output()).path("status").asText());

        runtime = new RuncRuntime(images, root, "runc", CGROUPS);
        assertEquals(sandbox, runtime.listSandboxes().get(0).id());
        assertAdoptedWithEveryLine(id);
    }

    @Test
    void duringABundleSwapTheLogGoesOnWithoutAGapOrARepeat() throws Exception {
        String id = started(sandbox(null), container("ticker", TestPods.TICKER));
        awaitLog(id, "line 3");
        RuncRuntime old = runtime;
        runtime = new RuncRuntime(images, root, "runc", CGROUPS);
        Thread.sleep(1500);
        old.close();
        assertAdoptedWithEveryLine(id);
    }

    @Test
    void aNewInstanceAdoptsTheContainersOfAJvmKilledWithSigkill() throws Exception {
        runtime.close();
        Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), ChildRuntime.class.getName(), root.toString(), cgroupBase)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String id;
        String late;
        Path log = root.resolve("logs/ticker.log");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            id = out.readLine();
            late = out.readLine();
            assertNotNull(late, "the child JVM did not start its containers");
            for (int i = 0; i < 500 && (!Files.exists(log) || Files.readAllLines(log).size() < 5); i++) {
                Thread.sleep(20);
            }
            child.destroyForcibly();
            child.waitFor();
        }
        // the log went on while no JVM ran: every line printed across the kill is there once, in order
        long before = Files.size(log);
        Thread.sleep(500);
        assertTrue(Files.size(log) > before, "the log stopped with the JVM");
        runtime = new RuncRuntime(images, root, "runc", CGROUPS);
        assertAdoptedWithEveryLine(id);

        // exited while no JVM ran: its exit status and every line are there
        ContainerStatus exited = awaitExit(late);
        assertEquals(5, exited.exitCode());
        awaitLog(late, "late2");
        // stdout and stderr are two pipes: their relative order is not kept
        assertEquals(List.of("stderr F late2", "stdout F late1"), log(late).stream().sorted().toList());
    }

    /** The container runs, this instance keeps its log going, and the log has every line once, whole. */
    private void assertAdoptedWithEveryLine(String id) throws Exception {
        assertTrue(runtime.listContainers().stream().anyMatch(c -> c.id().equals(id)));
        assertEquals(ContainerState.RUNNING, runtime.containerStatus(id).orElseThrow().state());
        int seen = log(id).size();
        awaitLog(id, "line " + (seen + 10));
        runtime.stopContainer(id, Duration.ofSeconds(5));
        List<String> lines = log(id);
        for (int i = 0; i < lines.size(); i++) {
            assertEquals("stdout F line " + (i + 1), lines.get(i));
        }
    }

    @Test
    void sandboxesAreMadeOncePerPodAndStopIdempotently() throws Exception {
        String sandbox = sandbox(null);
        assertEquals(sandbox, sandbox(null));
        String id = started(sandbox, container("idle", List.of("sleep", "1000")));
        runtime.stopSandbox(sandbox, Duration.ofMillis(300));
        runtime.stopSandbox(sandbox, Duration.ofMillis(300));
        assertEquals(ContainerState.EXITED, runtime.containerStatus(id).orElseThrow().state());
        SandboxStatus status = runtime.listSandboxes().get(0);
        assertFalse(status.ready());
        assertEquals("test", status.labels().get("app"));
        Path logFile = Path.of(runtime.containerStatus(id).orElseThrow().logPath());
        runtime.removeContainer(id);
        runtime.removeContainer(id);
        assertTrue(runtime.containerStatus(id).isEmpty());
        assertTrue(Files.exists(logFile));
        runtime.removeSandbox(sandbox);
        runtime.removeSandbox(sandbox);
        assertEquals(List.of(), runtime.listSandboxes());
    }

    @Test
    void stdinStaysOpenWhenAsked() throws Exception {
        String sandbox = sandbox(null);
        ContainerConfig base = container("reader", List.of("sh", "-c", "cat; echo eof"));
        ContainerConfig open = new ContainerConfig(base.name(), 0, base.image(), base.command(), List.of(), null,
                List.of(), List.of(), base.logPath(), Resources.NONE, Security.DEFAULT, true, false, Map.of(), Map.of());
        String id = started(sandbox, open);
        Thread.sleep(300);
        assertEquals(ContainerState.RUNNING, runtime.containerStatus(id).orElseThrow().state());
        assertEquals(List.of("stdout F eof"), log(run(sandbox, container("closed", base.command())).id()));
    }

    @Test
    void attachesShareAStdinThatStaysOpenAndSeeTheLiveOutput() throws Exception {
        String sandbox = sandbox(null);
        ContainerConfig base = container("echo", List.of("sh", "-c",
                "while read l; do echo \"got $l\"; echo \"err $l\" >&2; printf 'prompt> '; done; echo eof"));
        String id = started(sandbox, withStdin(base, true, false));
        try (ExecSession first = runtime.attach(id, true, false)) {
            first.stdin().write("a\n".getBytes(StandardCharsets.UTF_8));
            first.stdin().flush();
            // live, not line by line from the log: the prompt without a newline arrives too
            assertEquals("got a\nprompt> ", readUntil(first.stdout(), "prompt> "));
            assertEquals("err a\n", readUntil(first.stderr(), "\n"));
            // the end of one attach's input does not close a stdin without stdinOnce
            first.stdin().close();
        }
        try (ExecSession watcher = runtime.attach(id, false, false); ExecSession second = runtime.attach(id, true, false)) {
            second.stdin().write("b\n".getBytes(StandardCharsets.UTF_8));
            second.stdin().flush();
            assertEquals("got b\nprompt> ", readUntil(second.stdout(), "prompt> "));
            assertEquals("got b\nprompt> ", readUntil(watcher.stdout(), "prompt> "));
        }
        // a new instance (after a swap or a restart of the node) attaches to what the old one started
        runtime.close();
        runtime = new RuncRuntime(images, root, "runc", CGROUPS);
        try (ExecSession third = runtime.attach(id, true, false)) {
            third.stdin().write("c\n".getBytes(StandardCharsets.UTF_8));
            third.stdin().flush();
            assertEquals("got c\nprompt> ", readUntil(third.stdout(), "prompt> "));
        }
        assertEquals(ContainerState.RUNNING, runtime.containerStatus(id).orElseThrow().state());
        runtime.stopContainer(id, Duration.ofSeconds(2));
        assertEquals(List.of("got a", "got b", "got c"), log(id).stream().filter(l -> l.contains("got"))
                .map(l -> l.substring(l.lastIndexOf("got"))).toList());
        assertEquals(List.of("stderr F err a", "stderr F err b", "stderr F err c"),
                log(id).stream().filter(l -> l.startsWith("stderr")).toList());
    }

    @Test
    void stdinOnceEndsTheContainersStdinWhenTheFirstAttachEndsItsInput() throws Exception {
        String sandbox = sandbox(null);
        String id = started(sandbox, withStdin(container("once", List.of("sh", "-c", "cat; echo eof; exit 4")), true, true));
        try (ExecSession session = runtime.attach(id, true, false)) {
            session.stdin().write("x\n".getBytes(StandardCharsets.UTF_8));
            session.stdin().close();
            assertEquals("x\neof\n", new String(session.stdout().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(4, session.exitCode().get(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of("stdout F x", "stdout F eof"), log(awaitExit(id).id()));
        String plain = started(sandbox, container("plain", List.of("sleep", "1000")));
        RuntimeFailure refused = assertThrows(RuntimeFailure.class, () -> runtime.attach(plain, true, false));
        assertEquals("AttachError", refused.reason());
        assertTrue(refused.getMessage().contains("stdin: true"), refused.getMessage());
        runtime.attach(plain, false, false).close();
    }

    @Test
    void attachesWhereTheSocketsPathIsTooLongForAUnixSocket() throws Exception {
        runtime.close();
        runtime = new RuncRuntime(images, root.resolve("long-" + "x".repeat(80)), "runc", CGROUPS);
        String id = started(sandbox(null), withStdin(container("long", List.of("sh", "-c", "read l; echo \"got $l\"")), true, true));
        try (ExecSession session = runtime.attach(id, true, false)) {
            session.stdin().write("a\n".getBytes(StandardCharsets.UTF_8));
            session.stdin().close();
            assertEquals("got a\n", new String(session.stdout().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void anAttachSizesTheContainersTerminal() throws Exception {
        ContainerConfig base = container("term", List.of("sh", "-c", "read a; stty size; printf 'name? '; read b; echo \"hi $b\""));
        ContainerConfig tty = new ContainerConfig(base.name(), 0, base.image(), base.command(), List.of(), null, List.of(),
                List.of(), base.logPath(), Resources.NONE, Security.DEFAULT, true, true, true, Map.of(), Map.of());
        String id = started(sandbox(null), tty);
        try (ExecSession session = runtime.attach(id, true, true)) {
            session.resize(100, 40);
            session.stdin().write("go\n".getBytes(StandardCharsets.UTF_8));
            session.stdin().flush();
            // the terminal echoes the input, ends lines with CR LF, and the prompt comes before its newline
            assertEquals("go\r\n40 100\r\nname? ", readUntil(session.stdout(), "name? "));
            session.stdin().write("you\n".getBytes(StandardCharsets.UTF_8));
            session.stdin().flush();
            assertEquals("you\r\nhi you\r\n", readUntil(session.stdout(), "hi you\r\n"));
        }
        assertEquals(0, awaitExit(id).exitCode());
    }

    @Test
    void aTtyContainerWritesItsTerminalToStdout() throws Exception {
        ContainerConfig base = container("tty", List.of("sh", "-c", "tty; echo hi >&2; exit 3"));
        ContainerConfig tty = new ContainerConfig(base.name(), 0, base.image(), base.command(), List.of(), null,
                List.of(), List.of(), base.logPath(), Resources.NONE, Security.DEFAULT, false, true, Map.of(), Map.of());
        ContainerStatus status = run(sandbox(null), tty);
        assertEquals(3, status.exitCode());
        // a terminal ends lines with CR LF, as with containerd
        String raw = Files.readString(Path.of(status.logPath()));
        assertEquals(List.of("stdout F /dev/pts/0", "stdout F hi"), raw.lines().map(RuncRuntimeTest::content).toList());
        assertEquals(2, raw.split("\r\n", -1).length - 1, raw);
        assertFalse(raw.contains("\0"), "script(1) sent the terminal an end-of-file");
    }

    @Test
    void aContainerWhoseShimWasKilledIsUnknownAndCanStillBeStoppedAndRemoved() throws Exception {
        String id = started(sandbox(null), container("orphan", TestPods.TICKER));
        Path shimPid = root.resolve("containers").resolve(id).resolve("shim.pid");
        ProcessHandle.of(Long.parseLong(Files.readString(shimPid).strip())).orElseThrow().destroyForcibly();
        for (int i = 0; i < 100 && runtime.containerStatus(id).orElseThrow().state() != ContainerState.UNKNOWN; i++) {
            Thread.sleep(20);
        }
        ContainerStatus status = runtime.containerStatus(id).orElseThrow();
        assertEquals(ContainerState.UNKNOWN, status.state());
        assertTrue(status.message().contains("running"), status.message());
        runtime.stopContainer(id, Duration.ofSeconds(1));
        runtime.removeContainer(id);
        assertTrue(runtime.containerStatus(id).isEmpty());
    }

    @Test
    void manyPodsAtOnce() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 6; i++) {
            int pod = i;
            threads.add(new Thread(() -> {
                try {
                    String sandbox = runtime.runSandbox(new SandboxConfig("uid-" + pod, "default", "pod-" + pod, 0,
                            "pod-" + pod, null, cgroupBase + "/pod-" + pod, Resources.NONE, root.toString(), Map.of(),
                            Map.of()));
                    String id = runtime.createContainer(sandbox, container("c" + pod, List.of("echo", "pod " + pod)));
                    runtime.startContainer(id);
                    runtime.stopContainer(id, Duration.ofSeconds(5));
                    assertEquals(List.of("stdout F pod " + pod), log(id));
                    runtime.removeContainer(id);
                    runtime.stopSandbox(sandbox, Duration.ZERO);
                    runtime.removeSandbox(sandbox);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void isUnavailableWithoutRunc() throws Exception {
        try (RuncRuntime missing = new RuncRuntime(images, root.resolve("other"), "/nonexistent/runc", CGROUPS)) {
            assertFalse(missing.availability().available());
            assertTrue(missing.availability().reason().contains("/nonexistent/runc"), missing.availability().reason());
        }
    }

    // ---- helpers ----

    private String sandbox(String netnsPath) throws RuntimeFailure {
        return runtime.runSandbox(TestPods.sandbox(root, cgroupBase, netnsPath));
    }

    private ContainerConfig container(String name, List<String> command) {
        return TestPods.container(root, name, command);
    }

    private static ContainerConfig with(ContainerConfig c, Resources resources) {
        return new ContainerConfig(c.name(), c.attempt(), c.image(), c.command(), c.args(), c.workingDir(), c.env(),
                c.mounts(), c.logPath(), resources, c.security(), c.stdin(), c.tty(), c.labels(), c.annotations());
    }

    private static ContainerConfig withStdin(ContainerConfig c, boolean stdin, boolean stdinOnce) {
        return new ContainerConfig(c.name(), c.attempt(), c.image(), c.command(), c.args(), c.workingDir(), c.env(),
                c.mounts(), c.logPath(), c.resources(), c.security(), stdin, stdinOnce, c.tty(), c.labels(), c.annotations());
    }

    /** What a stream gives until it has given {@code end}, within 10 s. */
    private static String readUntil(InputStream in, String end) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            try {
                for (int b; !read.toString(StandardCharsets.UTF_8).endsWith(end) && (b = in.read()) >= 0; ) {
                    read.write(b);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return read.toString(StandardCharsets.UTF_8);
        }).get(10, TimeUnit.SECONDS);
    }

    private String started(String sandbox, ContainerConfig config) throws RuntimeFailure {
        String id = runtime.createContainer(sandbox, config);
        assertEquals(ContainerState.CREATED, runtime.containerStatus(id).orElseThrow().state());
        runtime.startContainer(id);
        return id;
    }

    private ContainerStatus run(String sandbox, ContainerConfig config) throws Exception {
        String id = started(sandbox, config);
        ContainerStatus status = awaitExit(id);
        // the stop path waits for the log to be drained
        runtime.stopContainer(id, Duration.ZERO);
        return status;
    }

    private ContainerStatus awaitExit(String id) throws Exception {
        for (int i = 0; i < 1000; i++) {
            ContainerStatus status = runtime.containerStatus(id).orElseThrow();
            if (status.state() == ContainerState.EXITED) {
                return status;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(id + " did not exit");
    }

    private List<String> log(String id) throws Exception {
        Path file = Path.of(runtime.containerStatus(id).orElseThrow().logPath());
        return Files.exists(file) ? Files.readAllLines(file).stream().map(RuncRuntimeTest::content).toList() : List.of();
    }

    private void awaitLog(String id, String text) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (log(id).stream().anyMatch(line -> line.endsWith(" " + text))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line " + text + " in " + log(id));
    }

    private static String content(String line) {
        return line.substring(line.indexOf(' ') + 1);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
