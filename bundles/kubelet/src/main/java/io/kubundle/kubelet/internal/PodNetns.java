package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A pod's network namespace, a file under {@code /run/netns} that {@code ip netns} makes: it lives
 * without any process in it, so containers can come and go (and the kubelet restart) while the
 * pod keeps its address.
 */
final class PodNetns {
    private static final Path RUN_NETNS = Path.of("/run/netns");

    private PodNetns() {
    }

    /** The namespace's name for a pod: short and unique ({@code kubundle-} and the uid). */
    static String name(String podUid) {
        return "kubundle-" + podUid;
    }

    static Path path(String podUid) {
        return RUN_NETNS.resolve(name(podUid));
    }

    /** Makes the pod's namespace unless it exists; returns its path. */
    static Path create(String podUid) throws IOException {
        Path path = path(podUid);
        if (!Files.exists(path)) {
            Commands.run(List.of("ip", "netns", "add", name(podUid)));
        }
        return path;
    }

    /** Deletes the pod's namespace; one that is gone is no error. */
    static void delete(String podUid) throws IOException {
        if (Files.exists(path(podUid))) {
            Commands.run(List.of("ip", "netns", "delete", name(podUid)));
        }
    }
}
