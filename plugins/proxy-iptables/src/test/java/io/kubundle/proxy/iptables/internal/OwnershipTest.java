package io.kubundle.proxy.iptables.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnershipTest {
    @TempDir
    Path dir;

    /** Whether another process can take the lock now (python's lockf is the same fcntl lock as Java's). */
    private static boolean freeForAnotherProcess(Path file) throws Exception {
        TestNet.Out out = TestNet.run(List.of("python3", "-c",
                "import fcntl,sys\nf=open(sys.argv[1],'a')\ntry:\n  fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept OSError:\n"
                        + "  sys.exit(3)", file.toString()));
        assumeTrue(out.exit() == 0 || out.exit() == 3, "needs python3: " + out.out());
        return out.exit() == 0;
    }

    @Test
    void oneOwnerAndAWaiterLeavingDoesNotFreeTheLock() throws Exception {
        Path file = dir.resolve("sub/proxy.lock");
        Ownership first = new Ownership(file);
        Ownership second = new Ownership(file);
        try {
            assertTrue(first.tryAcquire());
            assertTrue(first.tryAcquire(), "again: still the owner");
            assertFalse(second.tryAcquire(), "one owner in this JVM");
            assertFalse(freeForAnotherProcess(file), "and none in another process");
            second.close();
            assertFalse(freeForAnotherProcess(file), "a waiter leaving does not drop the owner's lock");
            first.close();
            assertTrue(freeForAnotherProcess(file));
            Ownership third = new Ownership(file);
            assertTrue(third.tryAcquire(), "free once the owner has left");
            third.close();
        } finally {
            first.close();
            second.close();
        }
        assertEquals(null, System.getProperty("io.kubundle.proxy.iptables.lock:" + file.toAbsolutePath()), "no claim left");
    }
}
