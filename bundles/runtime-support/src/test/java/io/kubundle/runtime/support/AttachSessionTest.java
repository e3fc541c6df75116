package io.kubundle.runtime.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.Resources;

/**
 * {@link AttachSession} through a real log writer started as a shim starts it (in the container's
 * directory, which its command line names), whatever the length of the socket's path: the JDK
 * connects to at most 106 bytes of path, a longer one is reached through the shim's working
 * directory. A path of exactly 107 bytes (the native runtime's under a test's data directory) was
 * refused: kubectl's attach failed and the container never got its stdin.
 */
final class AttachSessionTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {90, 106, 107, 108, 140})
    void attachesAndWritesToStdinWhateverTheSocketPathsLength(int socketPathLength) throws Exception {
        String base = tmp.resolve("c").toString();
        int padding = socketPathLength - "/attach.sock".length() - base.length();
        assertTrue(padding >= 0, "the temporary directory is too long for " + socketPathLength);
        Path dir = Files.createDirectories(Path.of(base + "x".repeat(padding)));
        ContainerDir container = new ContainerDir(dir);
        assertEquals(socketPathLength, container.attachSocket().toString().length());
        Files.writeString(container.logWriter(), LogWriter.SCRIPT);
        Commands.check(List.of("mkfifo", container.fifo("stdout").toString(), container.fifo("stderr").toString(),
                container.fifo("stdin").toString()), Duration.ofSeconds(5));
        ContainerConfig config = new ContainerConfig("c", 0, "i", List.of(), List.of(), null, List.of(), List.of(),
                dir.resolve("c.log").toString(), Resources.NONE, ContainerConfig.Security.DEFAULT, true, false, false, Map.of(),
                Map.of());
        List<String> command = new ArrayList<>(List.of("perl", container.logWriter().toString(), config.logPath()));
        command.addAll(container.logWriterArgs(config));
        // as the shims run it: in the container's directory, its arguments relative to it
        Process writer = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (FileOutputStream out = new FileOutputStream(container.fifo("stdout").toFile());
                FileOutputStream err = new FileOutputStream(container.fifo("stderr").toFile())) {
            try (BufferedReader ready = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                assertEquals("ready", ready.readLine());
            }
            Files.writeString(container.shimPid(), Long.toString(writer.pid()));
            AttachSession session = AttachSession.open(container, config, "id", true, null);
            try (FileInputStream stdin = new FileInputStream(container.fifo("stdin").toFile())) {
                session.stdin().write("hello\n".getBytes(StandardCharsets.UTF_8));
                session.stdin().flush();
                byte[] received = new byte[6];
                for (int at = 0, n; at < received.length; at += n) {
                    n = stdin.read(received, at, received.length - at);
                    assertTrue(n > 0, "the container's stdin ended");
                }
                assertEquals("hello\n", new String(received, StandardCharsets.UTF_8));
                out.write("got hello\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                byte[] printed = new byte[10];
                for (int at = 0, n; at < printed.length; at += n) {
                    n = session.stdout().read(printed, at, printed.length - at);
                    assertTrue(n > 0, "the attach's stdout ended");
                }
                assertEquals("got hello\n", new String(printed, StandardCharsets.UTF_8));
            } finally {
                session.close();
            }
        } finally {
            writer.destroyForcibly();
            assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
        }
    }
}
