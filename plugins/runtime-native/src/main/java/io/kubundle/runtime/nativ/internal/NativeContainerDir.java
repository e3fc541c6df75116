package io.kubundle.runtime.nativ.internal;

import java.nio.file.Path;

import io.kubundle.runtime.support.ContainerDir;

/** A container's directory with what the native runtime's init writes besides (see README for the layout). */
final class NativeContainerDir extends ContainerDir {
    NativeContainerDir(Path dir) {
        super(dir);
    }

    /** The container's environment as shell words, read by {@link Launch#enter} (not in any command line). */
    Path env() {
        return dir().resolve("env");
    }

    /**
     * The container's host pid, written by its init right before it becomes the container's
     * command: its existence means "started", its mtime is the start time.
     */
    Path pid() {
        return dir().resolve("pid");
    }

    /** What init printed while it set the container up: why a container could not start. */
    Path initLog() {
        return dir().resolve("init.log");
    }
}
