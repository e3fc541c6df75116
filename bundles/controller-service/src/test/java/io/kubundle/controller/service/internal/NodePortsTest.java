package io.kubundle.controller.service.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;

class NodePortsTest {
    private final MemoryStores.Ports store = new MemoryStores.Ports();
    private final NodePorts ports = new NodePorts(PortRange.parse("30000-30099"), store, new Random(3));
    private final Owner web = new Owner("default", "web");
    private final Instant now = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void givesFreePortsAndHonoursRequests() throws Exception {
        List<Integer> given = ports.allocate(web, List.of(new NodePorts.Request("spec.ports[0].nodePort", 30080),
                new NodePorts.Request("spec.ports[1].nodePort", 0)), Set.of(), now);
        assertEquals(30080, given.get(0));
        assertTrue(given.get(1) >= 30000 && given.get(1) <= 30099 && given.get(1) != 30080);
        assertEquals(web, store.ports().get(30080).owner());
    }

    @Test
    void refusesTakenAndOutOfRangePortsNamingTheField() throws Exception {
        ports.allocate(web, List.of(new NodePorts.Request("spec.ports[0].nodePort", 30080)), Set.of(), now);
        NodePorts.FieldException taken = assertThrows(NodePorts.FieldException.class, () -> ports.allocate(new Owner("default", "other"),
                List.of(new NodePorts.Request("spec.ports[0].nodePort", 0), new NodePorts.Request("spec.ports[1].nodePort", 30080)),
                Set.of(), now));
        assertEquals("spec.ports[1].nodePort", taken.field());
        assertEquals(NodePorts.ALLOCATED, taken.getMessage());
        NodePorts.FieldException outside = assertThrows(NodePorts.FieldException.class, () -> ports.allocate(web,
                List.of(new NodePorts.Request("spec.ports[0].nodePort", 40000)), Set.of(), now));
        assertTrue(outside.getMessage().contains("not in the valid range. The range of valid ports is 30000-30099"));
        assertEquals(1, store.ports().size(), "a refused request allocates nothing");
    }

    @Test
    void portsAServiceHoldsAreNotWrittenAgain() throws Exception {
        ports.allocate(web, List.of(new NodePorts.Request("f", 30080)), Set.of(), now);
        int writes = store.writes;
        ports.allocate(web, List.of(new NodePorts.Request("f", 30080)), Set.of(30080), now.plusSeconds(60));
        assertEquals(writes, store.writes);
    }

    @Test
    void releaseFreesOnlyWhatIsPicked() throws Exception {
        ports.allocate(web, List.of(new NodePorts.Request("f", 30080), new NodePorts.Request("g", 30081)), Set.of(), now);
        assertEquals(Set.of(30081), ports.release((port, allocation) -> port == 30081).keySet());
        assertEquals(Set.of(30080), store.ports().keySet());
    }

    @Test
    void concurrentAllocationsNeverShareAPort() throws Exception {
        ConcurrentLinkedQueue<Integer> given = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int thread = t;
            threads.add(started(() -> {
                for (int i = 0; i < 15; i++) {
                    try {
                        given.addAll(ports.allocate(new Owner("default", "s" + thread + "-" + i),
                                List.of(new NodePorts.Request("f", 0)), Set.of(), now));
                    } catch (Exception e) {
                        given.add(-1);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(90, given.size());
        assertEquals(90, new HashSet<>(given).size(), "no port twice: " + given);
    }

    private static Thread started(Runnable work) {
        Thread thread = new Thread(work);
        thread.start();
        return thread;
    }
}
