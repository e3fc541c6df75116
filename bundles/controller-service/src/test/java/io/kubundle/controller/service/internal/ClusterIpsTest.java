package io.kubundle.controller.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

class ClusterIpsTest {
    private final MemoryStores.Ips store = new MemoryStores.Ips();

    @Test
    void cidrKnowsWhatItHolds() {
        Cidr range = Cidr.parse("10.96.0.0/12");
        assertEquals(1L << 20, range.size());
        assertTrue(range.isUsable("10.96.0.1"));
        assertTrue(range.isUsable("10.111.255.254"));
        assertFalse(range.isUsable("10.96.0.0"), "the network address");
        assertFalse(range.isUsable("10.111.255.255"), "the broadcast address");
        assertFalse(range.isUsable("10.112.0.1"));
        assertFalse(range.isUsable("not-an-ip"));
        assertEquals("10.96.0.10", range.at(10));
        assertEquals("10.96.0.0/12", Cidr.parse("10.100.1.2/12").toString());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("fd00::/108"));
    }

    @Test
    void requestedAddressesAreHonouredOnceAndCheckedAgainstTheRange() throws Exception {
        ClusterIps ips = new ClusterIps(Cidr.parse("10.96.0.0/12"), store, new Random(1));
        assertEquals("10.96.0.10", ips.allocate(new Owner("default", "a"), "10.96.0.10"));
        AllocationException taken = assertThrows(AllocationException.class, () -> ips.allocate(new Owner("default", "b"), "10.96.0.10"));
        assertTrue(taken.getMessage().endsWith("provided IP is already allocated"), taken.getMessage());
        AllocationException outside = assertThrows(AllocationException.class, () -> ips.allocate(new Owner("default", "b"), "192.168.1.1"));
        assertTrue(outside.getMessage().contains("is not in the valid range. The range of valid IPs is 10.96.0.0/12"), outside.getMessage());
        assertEquals(new Owner("default", "a"), store.entries.get("10.96.0.10").owner());
    }

    @Test
    void anEarlierServiceOfTheSameNameHandsItsAddressOver() throws Exception {
        ClusterIps ips = new ClusterIps(Cidr.parse("10.96.0.0/24"), store, new Random(1));
        ips.allocate(new Owner("default", "web"), "10.96.0.20");
        String uid = store.entries.get("10.96.0.20").uid();
        assertEquals("10.96.0.20", ips.allocate(new Owner("default", "web"), "10.96.0.20"));
        assertFalse(uid.equals(store.entries.get("10.96.0.20").uid()), "a new allocation, so the repair loop's precondition spares it");
    }

    @Test
    void aFullRangeIsWalkedAndThenRefused() throws Exception {
        ClusterIps ips = new ClusterIps(Cidr.parse("10.0.0.0/29"), store, new Random(7));
        Set<String> given = new HashSet<>();
        for (int i = 0; i < 5; i++) { // 8 addresses: network, broadcast and the first (the kubernetes Service's) are not given
            assertTrue(given.add(ips.allocate(new Owner("default", "s" + i), null)));
        }
        assertFalse(given.contains("10.0.0.1"));
        assertThrows(AllocationException.class, () -> ips.allocate(new Owner("default", "full"), null));
        ips.release(store.entries.get(given.iterator().next()));
        ips.allocate(new Owner("default", "again"), null);
    }

    @Test
    void concurrentAllocationsNeverShareAnAddress() throws Exception {
        ClusterIps ips = new ClusterIps(Cidr.parse("10.0.0.0/26"), store, new Random());
        ConcurrentLinkedQueue<String> given = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.add(started(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 7; i++) {
                        given.add(ips.allocate(new Owner("default", "t" + thread + "-" + i), null));
                    }
                } catch (Exception e) {
                    given.add("failed: " + e);
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(56, given.size());
        assertEquals(56, new HashSet<>(given).size(), "no address twice: " + given);
    }

    private static Thread started(Runnable work) {
        Thread thread = new Thread(work);
        thread.start();
        return thread;
    }
}
