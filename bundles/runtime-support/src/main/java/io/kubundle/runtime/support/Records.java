package io.kubundle.runtime.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.kubundle.api.runtime.SandboxConfig;

/**
 * The JSON records a runtime keeps on disk, written atomically (temporary file, then rename), and
 * the ones every runtime keeps the same way.
 */
public final class Records {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Records() {
    }

    /** A sandbox: what it was made from, when, whether it is ready and whether we made its cgroup. */
    public record Sandbox(String id, SandboxConfig config, String createdAt, boolean ready, String cgroupParent,
            boolean cgroupCreated) {
        public Sandbox stopped() {
            return new Sandbox(id, config, createdAt, false, cgroupParent, cgroupCreated);
        }
    }

    /** The container's process: its command, environment, working directory and user. */
    public record Process(List<String> args, List<String> env, String cwd, long uid, long gid) {
    }

    public static void write(Path file, Object value) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), value);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public static <T> T read(Path file, Class<T> type) throws IOException {
        return JSON.readValue(file.toFile(), type);
    }
}
