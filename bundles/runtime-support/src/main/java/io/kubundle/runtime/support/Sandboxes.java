package io.kubundle.runtime.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.kubundle.api.runtime.Resources;
import io.kubundle.api.runtime.RuntimeFailure;
import io.kubundle.api.runtime.SandboxConfig;
import io.kubundle.api.runtime.SandboxStatus;

/**
 * A runtime's pod sandboxes: a directory each ({@code <id>/sandbox.json}) and the pod's cgroup.
 * Stopping and removing their containers is the runtime's; this keeps the records.
 */
public final class Sandboxes {
    private final Path dir;
    private final Cgroups cgroups;
    private final Locks locks;

    /** The sandboxes in {@code dir}, locked by id (and by {@code pod:<uid>} while one is made) in {@code locks}. */
    public Sandboxes(Path dir, Cgroups cgroups, Locks locks) {
        this.dir = dir;
        this.cgroups = cgroups;
        this.locks = locks;
    }

    public Path dir() {
        return dir;
    }

    /** The pod's ready sandbox, else a new one with its cgroup (made unless the config names one that exists). */
    public String run(SandboxConfig config) throws RuntimeFailure {
        synchronized (locks.of("pod:" + config.uid())) {
            for (Records.Sandbox sandbox : readAll()) {
                if (sandbox.ready() && sandbox.config().uid().equals(config.uid())) {
                    return sandbox.id();
                }
            }
            String id = StateFiles.newId();
            Path sandboxDir = dir.resolve(id);
            String parent = config.cgroupParent() == null || config.cgroupParent().isBlank() ? "kubundle/" + id
                    : config.cgroupParent().replaceAll("^/+", "");
            boolean cgroupCreated = false;
            try {
                Files.createDirectories(sandboxDir);
                cgroupCreated = cgroups.create(parent, config.resources() == null ? Resources.NONE : config.resources());
                Records.write(record(id),
                        new Records.Sandbox(id, config, Instant.now().toString(), true, parent, cgroupCreated));
                return id;
            } catch (IOException | RuntimeException e) {
                try {
                    StateFiles.deleteTree(sandboxDir);
                    if (cgroupCreated) {
                        cgroups.remove(parent);
                    }
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw new RuntimeFailure("CreatePodSandboxError", "cannot make the sandbox: " + e.getMessage(), e);
            }
        }
    }

    /** A sandbox's record; empty if there is none or it is damaged. */
    public Optional<Records.Sandbox> read(String id) {
        Path file = record(id);
        try {
            return Files.exists(file) ? Optional.of(Records.read(file, Records.Sandbox.class)) : Optional.empty();
        } catch (IOException damaged) {
            return Optional.empty();
        }
    }

    public List<Records.Sandbox> readAll() throws RuntimeFailure {
        List<Records.Sandbox> list = new ArrayList<>();
        for (String id : StateFiles.ids(dir)) {
            read(id).ifPresent(list::add);
        }
        return list;
    }

    /** Records a sandbox as not ready, once the runtime stopped its containers. */
    public void markStopped(Records.Sandbox sandbox) throws RuntimeFailure {
        synchronized (locks.of(sandbox.id())) {
            StateFiles.write(record(sandbox.id()), sandbox.stopped());
        }
    }

    /** Removes a sandbox's cgroup (if it made it) and directory, once the runtime removed its containers. */
    public void remove(Records.Sandbox sandbox) throws RuntimeFailure {
        String id = sandbox.id();
        synchronized (locks.of(id)) {
            try {
                if (sandbox.cgroupCreated()) {
                    cgroups.remove(sandbox.cgroupParent());
                }
                StateFiles.deleteTree(dir.resolve(id));
            } catch (IOException e) {
                throw new RuntimeFailure("RemovePodSandboxError", "cannot remove sandbox " + id + ": " + e.getMessage(), e);
            }
        }
        locks.forget(id);
    }

    /** The sandboxes as the runtime API lists them, for the runtime named {@code runtime}. */
    public List<SandboxStatus> list(String runtime) throws RuntimeFailure {
        List<SandboxStatus> list = new ArrayList<>();
        for (Records.Sandbox s : readAll()) {
            list.add(new SandboxStatus(s.id(), runtime, s.config(), s.ready(), Instant.parse(s.createdAt())));
        }
        return list;
    }

    private Path record(String id) {
        return dir.resolve(id).resolve("sandbox.json");
    }
}
