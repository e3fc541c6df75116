package io.kubundle.proxy.support;

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
    void aNewOwnerDeletesTheLockFilesNobodyHolds() throws Exception {
        Path stale = java.nio.file.Files.createDirectories(dir.resolve("locks")).resolve("netns-1-KUBE.lock");
        java.nio.file.Files.writeString(stale, "");
        Path held = dir.resolve("locks/netns-2-KUBE.lock");
        Path claimed = dir.resolve("locks/netns-3-KUBE.lock");
        Ownership inThisJvm = new Ownership(claimed);
        // another process holds one for a while
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl,sys,time\nf=open(sys.argv[1],'a')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(30)", held.toString()).start();
        Ownership owner = new Ownership(dir.resolve("locks/netns-4-KUBE.lock"));
        try {
            assumeTrue(new String(holder.getInputStream().readNBytes(6)).equals("locked"), "needs python3");
            assertTrue(inThisJvm.tryAcquire());
            assertTrue(owner.tryAcquire());
            assertFalse(java.nio.file.Files.exists(stale), "nobody held it: deleted");
            assertTrue(java.nio.file.Files.exists(held), "held by another process: kept");
            assertTrue(java.nio.file.Files.exists(claimed), "held in this JVM: kept");
            assertFalse(freeForAnotherProcess(claimed), "and still locked");
        } finally {
            holder.destroyForcibly().waitFor();
            owner.close();
            inThisJvm.close();
        }
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
