package io.kubundle.itests.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A private copy of the built distribution, so tests can drop plugins and edit etc/ without
 * touching the build output, and the command runner for its bin/kubundle.
 */
final class Distribution {
    final Path home;

    private Distribution(Path home) {
        this.home = home;
    }

    static Distribution copyInto(Path dir) throws IOException {
        Path built = Path.of(System.getProperty("kubundle.distribution"));
        if (!Files.isExecutable(built.resolve("bin/kubundle"))) {
            throw new IllegalStateException("no built distribution at " + built + ": run mvn package first");
        }
        Path home = dir.resolve("kubundle");
        Files.walkFileTree(built, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(home.resolve(built.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.copy(f, home.resolve(built.relativize(f).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
        return new Distribution(home);
    }

    static Path sampleJar() {
        return Path.of(System.getProperty("kubundle.sample.jar"));
    }

    /** What one run of a command printed. */
    record Result(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** Runs {@code bin/kubundle args...} to completion (at most 60 s). */
    Result kubundle(String... args) throws IOException, InterruptedException {
        return kubundle(60, args);
    }

    /** Runs {@code bin/kubundle args...} to completion, for at most {@code timeoutSeconds}. */
    Result kubundle(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/kubundle").toString());
        command.addAll(List.of(args));
        return run(command, timeoutSeconds);
    }

    /** The lines a long-running process (a watch) prints, read on a daemon thread until it ends. */
    static BlockingQueue<String> outputLines(Process process) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null;) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process was stopped
            }
        }, "process-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    static Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, 60);
    }

    static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("kubundle-out", ".txt");
        Path err = Files.createTempFile("kubundle-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
