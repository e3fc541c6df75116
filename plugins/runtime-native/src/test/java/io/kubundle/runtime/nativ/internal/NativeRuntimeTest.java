package io.kubundle.runtime.nativ.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import io.kubundle.api.runtime.ImageService.ImageConfig;
import io.kubundle.api.runtime.Mount;
import io.kubundle.api.runtime.Resources;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxConfig;
import io.kubundle.api.runtime.SandboxStatus;
import io.kubundle.runtime.support.Commands;

/** Runs real containers in namespaces (as root, with busybox-static at /bin/busybox), without runc. */
final class NativeRuntimeTest {
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private static Path imageDir;
    private static TestImages images;

    private Path root;
    private String cgroupBase;
    private NativeRuntime runtime;
    private final List<String> netns = new ArrayList<>();

    @BeforeAll
    static void image() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "namespaces need root");
        imageDir = Files.createTempDirectory("native-image");
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
        root = Files.createTempDirectory("native-root");
        cgroupBase = "kubundle-test-" + UUID.randomUUID().toString().substring(0, 8);
        runtime = new NativeRuntime(images, root, CGROUPS);
        assertTrue(runtime.availability().available(), runtime.availability().reason());
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (ContainerStatus container : runtime.listContainers()) {
            runtime.removeContainer(container.id());
        }
        for (SandboxStatus sandbox : runtime.listSandboxes()) {
            runtime.stopSandbox(sandbox.id(), Duration.ZERO);
            runtime.removeSandbox(sandbox.id());
        }
        runtime.close();
        for (String name : netns) {
            Commands.check(List.of("ip", "netns", "delete", name), Duration.ofSeconds(10));
        }
        List<String> left = ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(root.toString())).orElse(false))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
        assertEquals(List.of(), left, "processes left");
        assertFalse(Files.readString(Path.of("/proc/mounts")).contains(root.toString()), "a mount is left");
        try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
            for (Path hierarchy : hierarchies.toList()) {
                Path base = hierarchy.resolve(cgroupBase);
                if (Files.isDirectory(base)) {
                    try (Stream<Path> cgroups = Files.list(base).filter(Files::isDirectory)) {
                        assertEquals(List.of(), cgroups.toList(), "cgroups left in " + base);
                    }
                    Files.delete(base);
                }
            }
        }
        deleteTree(root);
    }

    @Test
    void runsAContainerInItsOwnNamespacesAndLogsItsOutputAsCriLines() throws Exception {
        String sandbox = sandbox(null);
        ContainerStatus status = run(sandbox, container("hello",
                List.of("sh", "-c", "echo out1; echo err1 >&2; sleep 0.1; echo out2; printf tail")));
        assertEquals(ContainerState.EXITED, status.state());
        assertEquals(0, status.exitCode(), () -> debug(status.id()));
        assertEquals("Completed", status.reason());
        assertEquals("native", status.runtime());
        assertNotNull(status.startedAt());
        assertNotNull(status.finishedAt());
        assertEquals(TestImages.ID, status.imageId());
        assertEquals("hello", status.labels().get("c"));
        List<String> lines = Files.readAllLines(Path.of(status.logPath()));
        assertTrue(lines.stream().allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z (stdout|stderr) [FP] .*")),
                lines.toString());
        List<String> contents = lines.stream().map(NativeRuntimeTest::content).sorted().toList();
        assertEquals(List.of("stderr F err1", "stdout F out1", "stdout F out2", "stdout P tail"), contents);

        ContainerStatus inside = run(sandbox, container("inside", List.of("sh", "-c",
                "echo pid $$; test $(ps -o pid | grep -c '[0-9]') -lt 10 && echo only ours; ls /dev | tr '\\n' ' '; echo;"
                        + " touch /sys/x 2>&1 | grep -c Read-only; test -e /proc/1/status && echo proc;"
                        + " test -e /etc/hostname && echo etc; ls / | grep -c native-root")));
        assertEquals(List.of("stdout F pid 1", "stdout F only ours",
                "stdout F fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ",
                "stdout F 1", "stdout F proc", "stdout F etc", "stdout F 0"), log(inside.id()));
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

        String absolute = runtime.createContainer(sandbox, container("absolute", List.of("/no/such/command")));
        failure = assertThrows(RuntimeFailure.class, () -> runtime.startContainer(absolute));
        assertTrue(failure.getMessage().contains("/no/such/command"), failure.getMessage());
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
        assertEquals(137, status.exitCode(), () -> debug(id));
        assertEquals("Error", status.reason());
    }

    @Test
    void stopSendsTheImagesStopSignal() throws Exception {
        Path dir = Files.createTempDirectory("native-image-usr1");
        try {
            ImageConfig usr1 = new ImageConfig(List.of(), List.of("sh"), List.of("PATH=/bin"), "", "", "SIGUSR1");
            NativeRuntime other = new NativeRuntime(new TestImages(dir, usr1), root, CGROUPS);
            try {
                String sandbox = other.runSandbox(TestPods.sandbox(root, cgroupBase, null));
                String id = other.createContainer(sandbox, container("usr1",
                        List.of("sh", "-c", "trap 'echo got USR1; exit 4' USR1; echo ready; while true; do sleep 0.1; done")));
                other.startContainer(id);
                awaitLog(id, "ready");
                other.stopContainer(id, Duration.ofSeconds(10));
                assertEquals(4, other.containerStatus(id).orElseThrow().exitCode());
                assertTrue(log(id).contains("stdout F got USR1"), log(id).toString());
            } finally {
                other.close();
            }
        } finally {
            deleteTree(dir);
        }
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
        assertFalse(Files.readString(Path.of("/proc/sys/kernel/hostname")).contains("podhost"), "the host keeps its name");
    }

    @Test
    void execSyncReturnsOutputAndExitCodeAndTimesOut() throws Exception {
        String id = started(sandbox(null), container("idle", List.of("sleep", "1000")));
        ExecResult result = runtime.execSync(id, List.of("sh", "-c", "echo hi $FROM_IMAGE; pwd; echo oops >&2; exit 7"),
                Duration.ofSeconds(10));
        assertEquals(7, result.exitCode());
        assertEquals("hi yes\n/\n", new String(result.stdout(), StandardCharsets.UTF_8));
        assertEquals("oops\n", new String(result.stderr(), StandardCharsets.UTF_8));

        long begin = System.nanoTime();
        RuntimeFailure timeout = assertThrows(RuntimeFailure.class,
                () -> runtime.execSync(id, List.of("sleep", "30"), Duration.ofMillis(500)));
        assertEquals("Timeout", timeout.reason());
        assertTrue(Duration.ofNanos(System.nanoTime() - begin).toMillis() < 5000);
        ExecResult ps = runtime.execSync(id, List.of("ps", "-o", "pid,args"), Duration.ofSeconds(10));
        assertEquals(0, ps.exitCode());
        String processes = new String(ps.stdout(), StandardCharsets.UTF_8);
        assertTrue(processes.matches("(?s).*\\n\\s*1 sleep 1000\\n.*"), processes);
        assertFalse(processes.contains("sleep 30"), "the timed-out command was killed");

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
        try (ExecSession session = runtime.exec(id, List.of("sh", "-c", "test -t 0 && test -t 1 && echo terminal; exit 4"),
                true, false)) {
            String output = new String(session.stdout().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(output.contains("terminal"), output);
            assertEquals(4, session.exitCode().get().intValue());
        }
    }

    @Test
    void appliesEnvironmentWorkingDirectoryUserMountsAndReadOnlyRoot() throws Exception {
        Path data = Files.createDirectories(root.resolve("volume"));
        Files.writeString(data.resolve("in"), "from host\n");
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path config = Files.writeString(root.resolve("single-file"), "a file\n");
        ContainerConfig base = container("settings", List.of("sh", "-c",
                "echo $FROM_IMAGE $OVERRIDDEN $NEW; pwd; id -u; id -g; cat /data/in; echo out > /data/out;"
                        + " touch /tmp/x 2>&1; cat /etc/layer2; cat /etc/motd 2>&1; cat /conf/file; (echo no > /conf/file) 2>&1;"
                        + " grep CapEff /proc/self/status"));
        ContainerConfig settings = new ContainerConfig(base.name(), 0, base.image(), base.command(), List.of(), "/tmp",
                List.of(new ContainerConfig.EnvVar("OVERRIDDEN", "config"), new ContainerConfig.EnvVar("NEW", "1")),
                List.of(new Mount(data.toString(), "/data", false), new Mount(config.toString(), "/conf/file", true)),
                base.logPath(), Resources.NONE, new Security(1000L, null, true, false), false, false, Map.of(), Map.of());
        ContainerStatus status = run(sandbox(null), settings);
        List<String> lines = log(status.id());
        assertEquals("stdout F yes config 1", lines.get(0));
        assertEquals(List.of("stdout F /tmp", "stdout F 1000", "stdout F 1001", "stdout F from host"), lines.subList(1, 5));
        assertTrue(lines.get(5).contains("Read-only file system"), lines.toString());
        assertEquals("stdout F from layer 2", lines.get(6));
        assertTrue(lines.get(7).contains("No such file"), lines.toString());
        assertEquals("stdout F a file", lines.get(8));
        assertTrue(lines.get(9).contains("Read-only file system"), lines.toString());
        assertEquals("stdout F CapEff:\t0000000000000000", lines.get(10), "a non-root user has no capabilities");
        assertEquals("out\n", Files.readString(data.resolve("out")));
        assertEquals("a file\n", Files.readString(config));
    }

    @Test
    void rootKeepsDockersCapabilitiesAndAPrivilegedContainerAllOfThem() throws Exception {
        String sandbox = sandbox(null);
        // chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service net_raw sys_chroot mknod
        // audit_write setfcap
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
        assertEquals(Long.toString(64L << 20),
                Files.readString(CGROUPS.resolve("memory").resolve(cgroup).resolve("memory.limit_in_bytes")).strip());
        ExecResult exec = runtime.execSync(id, List.of("cat", "/proc/self/cgroup"), Duration.ofSeconds(10));
        assertTrue(new String(exec.stdout(), StandardCharsets.UTF_8).contains(":memory:/" + cgroup + "\n"), "exec joins them too");
        assertEquals(Long.toString(256L << 20), Files.readString(
                CGROUPS.resolve("memory").resolve(cgroupBase + "/pod/memory.limit_in_bytes")).strip());
        String pid = Files.readString(root.resolve("containers").resolve(id).resolve("pid")).strip();
        for (String controller : List.of("cpu", "memory")) {
            List<String> procs = Files.readAllLines(CGROUPS.resolve(controller).resolve(cgroup).resolve("cgroup.procs"));
            assertTrue(procs.contains(pid), controller + ": " + procs + " " + procs.stream().map(p -> ProcessHandle.of(
                    Long.parseLong(p)).flatMap(h -> h.info().commandLine()).orElse("?")).toList());
        }
    }

    @Test
    void closingTheRuntimeLeavesContainersRunningAndANewInstanceAdoptsThemWithEveryLogLine() throws Exception {
        String sandbox = sandbox(null);
        String id = started(sandbox, container("ticker", TestPods.TICKER));
        awaitLog(id, "line 5");
        runtime.close();
        Thread.sleep(500);
        long pid = Long.parseLong(Files.readString(root.resolve("containers").resolve(id).resolve("pid")).strip());
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the container runs on");

        runtime = new NativeRuntime(images, root, CGROUPS);
        assertEquals(sandbox, runtime.listSandboxes().get(0).id());
        assertAdoptedWithEveryLine(id);
    }

    @Test
    void duringABundleSwapOnlyOneInstanceReadsAndTheNewOneTakesOver() throws Exception {
        String id = started(sandbox(null), container("ticker", TestPods.TICKER));
        awaitLog(id, "line 3");
        NativeRuntime old = runtime;
        runtime = new NativeRuntime(images, root, CGROUPS);
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
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            id = out.readLine();
            late = out.readLine();
            assertNotNull(late, "the child JVM did not start its containers");
            Path log = root.resolve("logs/ticker.log");
            for (int i = 0; i < 500 && (!Files.exists(log) || Files.readAllLines(log).size() < 5); i++) {
                Thread.sleep(20);
            }
            child.destroyForcibly();
            child.waitFor();
        }
        Thread.sleep(500);
        runtime = new NativeRuntime(images, root, CGROUPS);
        assertAdoptedWithEveryLine(id);

        // exited while no JVM read its output: the exit status and the lines were kept for us
        ContainerStatus exited = awaitExit(late);
        assertEquals(5, exited.exitCode());
        awaitLog(late, "late2");
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
        assertEquals(137, runtime.containerStatus(id).orElseThrow().exitCode(), "sleep as pid 1 ignores TERM");
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
    void attachesWriteToAStdinThatOutlivesTheRuntimeAndStdinOnceEndsIt() throws Exception {
        String sandbox = sandbox(null);
        String open = started(sandbox, withStdin(container("open", List.of("sh", "-c", "while read l; do echo \"got $l\"; done")), false));
        String once = started(sandbox, withStdin(container("once", List.of("sh", "-c", "cat >&2; exit 5")), true));
        try (ExecSession first = runtime.attach(open, true, false)) {
            first.stdin().write("a\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("got a", new BufferedReader(new InputStreamReader(first.stdout(), StandardCharsets.UTF_8)).readLine());
        }
        runtime.close();
        runtime = new NativeRuntime(images, root, CGROUPS);
        try (ExecSession second = runtime.attach(open, true, false)) {
            second.stdin().write("b\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("got b", new BufferedReader(new InputStreamReader(second.stdout(), StandardCharsets.UTF_8)).readLine());
        }
        assertEquals(ContainerState.RUNNING, runtime.containerStatus(open).orElseThrow().state());
        try (ExecSession session = runtime.attach(once, true, false)) {
            session.stdin().write("x\n".getBytes(StandardCharsets.UTF_8));
            session.stdin().close();
            assertEquals("x\n", new String(session.stderr().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(5, session.exitCode().get(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of("stderr F x"), log(once));
        RuntimeFailure refused = assertThrows(RuntimeFailure.class, () -> runtime.attach(
                started(sandbox, container("plain", List.of("sleep", "1000"))), true, false));
        assertEquals("AttachError", refused.reason());
        // pid 1 ignores SIGTERM without a handler: killed after the grace period
        runtime.stopContainer(open, Duration.ofMillis(500));
        assertEquals(List.of("stdout F got a", "stdout F got b"), log(open).stream().filter(l -> l.startsWith("stdout")).toList());
    }

    @Test
    void manyPodsAtOnce() throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
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

    private static ContainerConfig withStdin(ContainerConfig c, boolean stdinOnce) {
        return new ContainerConfig(c.name(), c.attempt(), c.image(), c.command(), c.args(), c.workingDir(), c.env(),
                c.mounts(), c.logPath(), c.resources(), c.security(), true, stdinOnce, c.tty(), c.labels(), c.annotations());
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
        return Files.exists(file) ? Files.readAllLines(file).stream().map(NativeRuntimeTest::content).toList() : List.of();
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

    /** What a container printed and what its init and shim said, for assertion messages. */
    private String debug(String id) {
        StringBuilder text = new StringBuilder();
        for (String file : List.of("init.log", "shim.log")) {
            Path path = root.resolve("containers").resolve(id).resolve(file);
            try {
                text.append(file).append(": ").append(Files.exists(path) ? Files.readString(path) : "none").append('\n');
            } catch (IOException e) {
                text.append(e);
            }
        }
        try {
            text.append("log: ").append(log(id));
        } catch (Exception e) {
            text.append(e);
        }
        return text.toString();
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
