package io.kubundle.net.bridge.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.network.NetworkFailure;

final class IpamTest {
    @TempDir
    Path stateDir;

    @Test
    void givesAddressesInTurnSkippingNetworkGatewayAndBroadcast() throws NetworkFailure {
        Ipam ipam = new Ipam(stateDir);
        Cidr cidr = Cidr.parse("10.250.0.0/29");
        List<String> ips = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ips.add(ipam.allocate("pod-" + i, "eth0", cidr).ip());
        }
        assertEquals(List.of("10.250.0.2", "10.250.0.3", "10.250.0.4", "10.250.0.5", "10.250.0.6"), ips);
        NetworkFailure full = assertThrows(NetworkFailure.class, () -> ipam.allocate("pod-5", "eth0", cidr));
        assertEquals("no free address in pod CIDR 10.250.0.0/29: all 5 pod addresses are taken", full.getMessage());
    }

    @Test
    void aClaimIsAFileNamedByTheAddressHoldingUidInterfaceAndCidr() throws Exception {
        Ipam ipam = new Ipam(stateDir);
        Ipam.Allocation allocation = ipam.allocate("uid-1", "eth0", Cidr.parse("10.250.0.0/24"));
        assertEquals("uid-1\neth0\n10.250.0.0/24\n", Files.readString(stateDir.resolve("ips/10.250.0.2"), UTF_8));
        assertEquals(Optional.of(allocation), ipam.find("uid-1"));
        assertEquals(Optional.empty(), ipam.find("uid-2"));
        try (var files = Files.list(stateDir.resolve("ips"))) {
            assertEquals(1, files.count(), "no claim file is left behind");
        }
    }

    @Test
    void aReleasedAddressRestsUntilTheOthersAreUsed() throws NetworkFailure {
        Ipam ipam = new Ipam(stateDir);
        Cidr cidr = Cidr.parse("10.250.0.0/29");
        ipam.allocate("a", "eth0", cidr);
        ipam.allocate("b", "eth0", cidr);
        ipam.release("a");
        ipam.release("a");
        assertEquals(Optional.empty(), ipam.find("a"));
        assertEquals("10.250.0.4", ipam.allocate("c", "eth0", cidr).ip());
        assertEquals("10.250.0.5", ipam.allocate("d", "eth0", cidr).ip());
        assertEquals("10.250.0.6", ipam.allocate("e", "eth0", cidr).ip());
        assertEquals("10.250.0.2", ipam.allocate("f", "eth0", cidr).ip(), "wraps around to the released one");
    }

    @Test
    void anotherInstanceSeesTheClaimsAndTheCidrEachWasMadeFrom() throws NetworkFailure {
        new Ipam(stateDir).allocate("old", "eth0", Cidr.parse("10.250.0.0/24"));
        Ipam later = new Ipam(stateDir);
        Ipam.Allocation next = later.allocate("new", "net1", Cidr.parse("10.250.1.0/24"));
        assertEquals("10.250.1.2", next.ip());
        assertEquals("10.250.0.0/24", later.find("old").orElseThrow().cidr().toString());
        assertEquals(2, later.all().size());
        later.release("old");
        assertEquals(List.of(next), new Ipam(stateDir).all());
    }

    @Test
    void aFileNotWrittenByThePluginKeepsItsAddressTaken() throws Exception {
        Ipam ipam = new Ipam(stateDir);
        Files.writeString(stateDir.resolve("ips/10.250.0.2"), "garbage", UTF_8);
        assertEquals(List.of(), ipam.all());
        assertEquals("10.250.0.3", ipam.allocate("a", "eth0", Cidr.parse("10.250.0.0/24")).ip());
    }

    @Test
    void threadsOfTwoInstancesNeverShareAnAddress() throws Exception {
        Cidr cidr = Cidr.parse("10.250.0.0/24");
        Ipam one = new Ipam(stateDir);
        Ipam two = new Ipam(stateDir);
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Future<Ipam.Allocation>> futures = new ArrayList<>();
            for (int i = 0; i < 253; i++) {
                Ipam ipam = i % 2 == 0 ? one : two;
                String uid = "pod-" + i;
                futures.add(threads.submit(() -> ipam.allocate(uid, "eth0", cidr)));
            }
            Set<String> ips = new HashSet<>();
            for (Future<Ipam.Allocation> future : futures) {
                ips.add(future.get().ip());
            }
            assertEquals(253, ips.size());
            assertTrue(ips.stream().allMatch(ip -> !ip.equals("10.250.0.0") && !ip.equals("10.250.0.1")
                    && !ip.equals("10.250.0.255")));
            assertThrows(NetworkFailure.class, () -> one.allocate("one-too-many", "eth0", cidr));
        } finally {
            threads.shutdownNow();
        }
    }
}
