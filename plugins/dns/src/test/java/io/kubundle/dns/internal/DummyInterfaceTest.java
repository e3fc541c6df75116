package io.kubundle.dns.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dummy link on this machine (root only), under a name and address of the test's own that
 * no node uses; removed afterwards whatever happens.
 */
class DummyInterfaceTest {
    private static final String LINK = "kbdns-t" + (ProcessHandle.current().pid() % 100000);
    private static final String ADDRESS = "169.254.20.98";

    @AfterEach
    void cleanUp() throws Exception {
        new ProcessBuilder("ip", "link", "del", LINK).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }

    @Test
    void theOwnerMakesAndRemovesTheLinkAnotherInstanceLeavesIt() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        DummyInterface first = new DummyInterface(LINK, ADDRESS);
        assertFalse(first.exists());
        first.claim();
        first.own();
        assertTrue(first.exists() && first.hasAddress());

        // a second instance finds it there (a second node process whose bind will fail): its release leaves it
        DummyInterface second = new DummyInterface(LINK, ADDRESS);
        second.claim();
        second.release();
        assertTrue(first.exists() && first.hasAddress());

        first.release();
        assertFalse(first.exists());
        // idempotent
        first.release();
        assertFalse(first.exists());
    }

    @Test
    void anAddressLeftByACrashIsAdoptedByTheNextServer() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        DummyInterface crashed = new DummyInterface(LINK, ADDRESS);
        crashed.claim();
        // the process died: no release. The next one finds the address, serves, owns it
        DummyInterface next = new DummyInterface(LINK, ADDRESS);
        next.claim();
        next.own();
        next.release();
        assertFalse(next.exists());
    }
}
