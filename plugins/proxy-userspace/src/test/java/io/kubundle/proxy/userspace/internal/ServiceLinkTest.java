package io.kubundle.proxy.userspace.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The link and its addresses, in a network namespace the test makes and deletes (the host's links are never touched). Root only. */
class ServiceLinkTest {
    String netns;

    @BeforeEach
    void namespace() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for ip netns");
        netns = "kpu-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        assertEquals(0, ServiceLink.Exec.run(List.of("ip"), "netns", "add", netns).code());
    }

    @AfterEach
    void deleteNamespace() {
        if (netns != null) {
            ServiceLink.Exec.run(List.of("ip"), "netns", "delete", netns);
        }
    }

    private String show(String link) {
        ServiceLink.Exec shown = ServiceLink.Exec.run(List.of("ip", "-n", netns), "-o", "addr", "show", "dev", link);
        return shown.code() == 0 ? shown.output() : "no link";
    }

    private void sh(String... args) {
        ServiceLink.Exec.run(List.of("ip", "-n", netns), args);
    }

    @Test
    void addressesOnALinkOfItsOwnAllGoneAtClose() throws Exception {
        // a killed instance's leftover, with an address nobody serves
        sh("link", "add", "kubundle-svc", "type", "bridge");
        sh("addr", "add", "10.96.9.9/32", "dev", "kubundle-svc");
        ServiceLink link = new ServiceLink("kubundle-svc", netns);
        link.sync(Set.of("10.96.0.10", "10.96.0.11"));
        link.sync(Set.of("10.96.0.10", "10.96.0.11"));
        String shown = show("kubundle-svc");
        assertTrue(shown.contains("10.96.0.10/32") && shown.contains("10.96.0.11/32"), shown);
        assertFalse(shown.contains("10.96.9.9"), "the leftover's address went: " + shown);
        link.sync(Set.of("10.96.0.11"));
        shown = show("kubundle-svc");
        assertFalse(shown.contains("10.96.0.10/"), shown);
        assertTrue(shown.contains("10.96.0.11/32"), shown);
        link.close();
        assertEquals("no link", show("kubundle-svc"));
        link.close();
    }

    @Test
    void whatIsRemovedBehindItsBackIsPutBackAtTheNextSync() throws Exception {
        ServiceLink link = new ServiceLink("kubundle-svc", netns);
        link.sync(Set.of("10.96.0.10"));
        sh("addr", "del", "10.96.0.10/32", "dev", "kubundle-svc");
        link.sync(Set.of("10.96.0.10"));
        assertTrue(show("kubundle-svc").contains("10.96.0.10/32"));
        sh("link", "del", "kubundle-svc");
        link.sync(Set.of("10.96.0.10"));
        assertTrue(show("kubundle-svc").contains("10.96.0.10/32"), "the link made again");
        assertTrue(ServiceLink.Exec.run(List.of("ip", "-n", netns), "link", "show", "kubundle-svc").output().contains("UP"));
        link.close();
        assertEquals("no link", show("kubundle-svc"));
    }

    @Test
    void anOldInstanceLeavesTheLinkToTheNewOneThatAdoptedIt() throws Exception {
        ServiceLink old = new ServiceLink("kubundle-svc", netns);
        old.sync(Set.of("10.96.0.10"));
        ServiceLink next = new ServiceLink("kubundle-svc", netns);
        next.sync(Set.of("10.96.0.10", "10.96.0.12"));
        old.close();
        String shown = show("kubundle-svc");
        assertTrue(shown.contains("10.96.0.10/32") && shown.contains("10.96.0.12/32"), "kept for the new instance: " + shown);
        next.close();
        assertEquals("no link", show("kubundle-svc"));
    }

    @Test
    void anAddressAnotherLinkHasIsLeftThereAndNotAdded() throws Exception {
        // the node's own address used as an external IP
        sh("link", "add", "eth-test", "type", "bridge");
        sh("addr", "add", "192.0.2.5/24", "dev", "eth-test");
        ServiceLink link = new ServiceLink("kubundle-svc", netns);
        link.sync(Set.of("10.96.0.10", "192.0.2.5"));
        String shown = show("kubundle-svc");
        assertTrue(shown.contains("10.96.0.10/32"), shown);
        assertFalse(shown.contains("192.0.2.5"), "local already: " + shown);
        link.sync(Set.of("192.0.2.5"));
        assertFalse(show("kubundle-svc").contains("10.96.0.10"));
        link.close();
        assertEquals("no link", show("kubundle-svc"));
        assertTrue(show("eth-test").contains("192.0.2.5/24"), "the other link's address untouched");
    }

    @Test
    void noServiceNoLink() throws Exception {
        ServiceLink link = new ServiceLink("kubundle-svc", netns);
        link.sync(Set.of());
        assertEquals("no link", show("kubundle-svc"));
        link.close();
        assertEquals("no link", show("kubundle-svc"));
    }
}
