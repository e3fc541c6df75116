package io.kubundle.runtime.support;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.kubundle.api.runtime.Resources;

/** The cgroup v1 hierarchies under one mount root ({@code /sys/fs/cgroup}). */
public final class Cgroups {
    private final Path root;
    private final boolean killMembers;

    public Cgroups(Path root) {
        this(root, false);
    }

    /**
     * @param killMembers whether removing a cgroup first kills what is left in it (a runtime whose
     *     shim can leave processes behind): a cgroup with members cannot be removed
     */
    public Cgroups(Path root, boolean killMembers) {
        this.root = root;
        this.killMembers = killMembers;
    }

    /** The memory controller's directory of a cgroup path (relative to the hierarchy root). */
    public Path memory(String path) {
        return root.resolve("memory").resolve(path);
    }

    /** Whether the memory controller is mounted as cgroup v1. */
    public boolean memoryAvailable() {
        return Files.exists(root.resolve("memory/memory.oom_control"));
    }

    /**
     * Makes a cgroup in the cpu and memory controllers with the given limits (zero means unset).
     *
     * @return whether it did not exist before
     */
    public boolean create(String path, Resources resources) throws IOException {
        boolean created = !Files.isDirectory(memory(path));
        Path cpu = cpu(path);
        Files.createDirectories(cpu);
        Files.createDirectories(memory(path));
        if (resources.cpuShares() > 0) {
            Files.writeString(cpu.resolve("cpu.shares"), Long.toString(resources.cpuShares()));
        }
        if (resources.cpuQuotaMicros() > 0) {
            long period = resources.cpuPeriodMicros() > 0 ? resources.cpuPeriodMicros() : 100_000;
            Files.writeString(cpu.resolve("cpu.cfs_period_us"), Long.toString(period));
            Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(resources.cpuQuotaMicros()));
        }
        if (resources.memoryLimitBytes() > 0) {
            Files.writeString(memory(path).resolve("memory.limit_in_bytes"), Long.toString(resources.memoryLimitBytes()));
        }
        return created;
    }

    /** Makes a cgroup in the memory controller only. */
    public void createMemory(String path) throws IOException {
        Files.createDirectories(memory(path));
    }

    /** The cpu controller's directory of a cgroup path. */
    public Path cpu(String path) {
        return root.resolve("cpu").resolve(path);
    }

    /** Removes a cgroup and the ones below it from every hierarchy; missing ones are fine. */
    public void remove(String path) throws IOException {
        for (Path hierarchy : hierarchies()) {
            removeTree(hierarchy.resolve(path));
        }
    }

    private List<Path> hierarchies() throws IOException {
        List<Path> hierarchies = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                if (Files.exists(dir.resolve("cgroup.procs"))) {
                    hierarchies.add(dir);
                }
            }
        }
        return hierarchies;
    }

    private void removeTree(Path cgroup) throws IOException {
        if (!Files.isDirectory(cgroup)) {
            return;
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(cgroup, Files::isDirectory)) {
            for (Path child : children) {
                removeTree(child);
            }
        }
        if (killMembers) {
            killMembers(cgroup);
        }
        try {
            Files.delete(cgroup);
        } catch (NoSuchFileException gone) {
            // removed meanwhile (by another instance, runc or a shim)
        }
    }

    /** Kills what is left in a cgroup being removed, waiting up to 2 s for it to empty. */
    private static void killMembers(Path cgroup) throws IOException {
        Path procs = cgroup.resolve("cgroup.procs");
        for (int i = 0; i < 200; i++) {
            List<String> members;
            try {
                members = Files.readAllLines(procs);
            } catch (NoSuchFileException gone) {
                return;
            }
            if (members.isEmpty()) {
                return;
            }
            members.forEach(pid -> ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly));
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while emptying " + cgroup, e);
            }
        }
    }
}
