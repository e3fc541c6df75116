package io.kubundle.proxy.userspace.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class PickerTest {
    static final InetSocketAddress A = new InetSocketAddress(ServiceTable.literal("10.0.0.1"), 80);
    static final InetSocketAddress B = new InetSocketAddress(ServiceTable.literal("10.0.0.2"), 80);
    static final InetSocketAddress C = new InetSocketAddress(ServiceTable.literal("10.0.0.3"), 80);
    static final InetAddress CLIENT_1 = ServiceTable.literal("192.168.0.1");
    static final InetAddress CLIENT_2 = ServiceTable.literal("192.168.0.2");

    final AtomicLong now = new AtomicLong(1_000_000);
    final Picker picker = new Picker(now::get);

    private List<InetSocketAddress> choose(int times, InetAddress client) {
        List<InetSocketAddress> chosen = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            chosen.add(picker.choose(client));
        }
        return chosen;
    }

    @Test
    void noEndpointsChoosesNothing() {
        assertNull(picker.choose(CLIENT_1));
        picker.setEndpoints(List.of(A), 0);
        picker.setEndpoints(List.of(), 0);
        assertNull(picker.choose(CLIENT_1));
    }

    @Test
    void roundRobinWhateverTheClient() {
        picker.setEndpoints(List.of(A, B, C), 0);
        assertEquals(List.of(A, B, C, A), choose(4, CLIENT_1));
        assertEquals(List.of(B, C), choose(2, CLIENT_2));
    }

    @Test
    void theSameEndpointsAgainKeepTheTurn() {
        picker.setEndpoints(List.of(A, B, C), 0);
        picker.choose(CLIENT_1);
        picker.setEndpoints(List.of(A, B, C), 0);
        assertEquals(B, picker.choose(CLIENT_1));
    }

    @Test
    void aRemovedEndpointIsNotChosenAgain() {
        picker.setEndpoints(List.of(A, B, C), 0);
        choose(2, CLIENT_1);
        picker.setEndpoints(List.of(A, C), 0);
        assertEquals(List.of(A, C, A, C), choose(4, CLIENT_1));
    }

    @Test
    void clientIpAffinityKeepsAClientOnItsEndpointUntilTheTimeout() {
        picker.setEndpoints(List.of(A, B), 10);
        assertEquals(List.of(A, A, A), choose(3, CLIENT_1));
        assertEquals(List.of(B, B), choose(2, CLIENT_2));
        now.addAndGet(9_000);
        assertEquals(A, picker.choose(CLIENT_1), "within the timeout of its last connection");
        now.addAndGet(10_001);
        // expired: chosen again by the round robin, which had come back to A
        assertEquals(A, picker.choose(CLIENT_2));
        assertEquals(A, picker.choose(CLIENT_2), "and kept from then on");
    }

    @Test
    void affinityToARemovedEndpointChoosesAgain() {
        picker.setEndpoints(List.of(A, B), 60);
        assertEquals(A, picker.choose(CLIENT_1));
        picker.setEndpoints(List.of(B, C), 60);
        // the round robin goes on from where it was (its second place, now C), and the client stays there
        assertEquals(List.of(C, C), choose(2, CLIENT_1));
    }

    @Test
    void affinityTurnedOffForgetsClients() {
        picker.setEndpoints(List.of(A, B), 60);
        picker.choose(CLIENT_1);
        assertEquals(1, picker.stickyClients());
        picker.setEndpoints(List.of(A, B), 0);
        assertEquals(0, picker.stickyClients());
        assertEquals(List.of(B, A), choose(2, CLIENT_1));
    }

    @Test
    void expiredClientsAreForgotten() {
        picker.setEndpoints(List.of(A, B), 1);
        for (int i = 0; i < 1000; i++) {
            picker.choose(ServiceTable.literal("172.16." + (i / 256) + "." + (i % 256)));
        }
        now.addAndGet(5_000);
        for (int i = 0; i < 30; i++) {
            picker.choose(ServiceTable.literal("172.17.0." + i));
        }
        // the 1,024th choice pruned the 1,000 expired clients; the 30 recent ones stay
        assertEquals(30, picker.stickyClients());
    }
}
