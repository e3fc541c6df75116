package io.kubundle.runtime.runc.internal;

import java.nio.file.Path;

/**
 * A JVM that starts a fast ticking container and one that prints two lines and exits after 2 s, prints
 * their ids and then waits to be killed with {@code kill -9}.
 * Arguments: the runtime's root directory and the tests' cgroup base.
 */
public final class ChildRuntime {
    private ChildRuntime() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        TestImages images = new TestImages(root.resolve("child-image"), TestImages.shell());
        RuncRuntime runtime = new RuncRuntime(images, root, "runc", Path.of("/sys/fs/cgroup"));
        String sandbox = runtime.runSandbox(TestPods.sandbox(root, args[1], null));
        String id = runtime.createContainer(sandbox, TestPods.container(root, "ticker", TestPods.FAST_TICKER));
        runtime.startContainer(id);
        String late = runtime.createContainer(sandbox, TestPods.container(root, "late", TestPods.LATE));
        runtime.startContainer(late);
        System.out.println(id);
        System.out.println(late);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
