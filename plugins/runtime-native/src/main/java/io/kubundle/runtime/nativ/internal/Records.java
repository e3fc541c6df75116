package io.kubundle.runtime.nativ.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.kubundle.api.runtime.ContainerConfig;
import io.kubundle.api.runtime.SandboxConfig;

/** The JSON records the runtime keeps on disk, written atomically (temporary file, then rename). */
final class Records {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Records() {
    }

    /** A sandbox: what it was made from, when, whether it is ready and whether we made its cgroup. */
    record Sandbox(String id, SandboxConfig config, String createdAt, boolean ready, String cgroupParent,
            boolean cgroupCreated) {
        Sandbox stopped() {
            return new Sandbox(id, config, createdAt, false, cgroupParent, cgroupCreated);
        }
    }

    /**
     * A container: what it was made from, its image id and stop signal, its cgroup path, the
     * process as merged from image and config, and the command line that starts it (made once, at
     * creation, from the root file system as it was then).
     */
    record Container(String id, String sandboxId, ContainerConfig config, String imageId, String stopSignal,
            String cgroupPath, String createdAt, Process process, List<String> launch) {
    }

    /** The container's process: its command, environment, working directory and user. */
    record Process(List<String> args, List<String> env, String cwd, long uid, long gid) {
    }

    static void write(Path file, Object value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), value);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static <T> T read(Path file, Class<T> type) throws IOException {
        return JSON.readValue(file.toFile(), type);
    }
}
