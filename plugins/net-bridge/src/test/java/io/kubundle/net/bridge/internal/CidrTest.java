package io.kubundle.net.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.kubundle.api.network.NetworkFailure;

final class CidrTest {
    @Test
    void aSlash24HasItsGatewayFirstAndPodsUpToBeforeTheBroadcast() throws NetworkFailure {
        Cidr cidr = Cidr.parse("10.244.3.0/24");
        assertEquals("10.244.3.0/24", cidr.toString());
        assertEquals("10.244.3.1", Cidr.format(cidr.gateway()));
        assertEquals("10.244.3.2", Cidr.format(cidr.firstPod()));
        assertEquals("10.244.3.254", Cidr.format(cidr.lastPod()));
        assertEquals("10.244.3.255", Cidr.format(cidr.broadcast()));
        assertEquals(253, cidr.podCount());
    }

    @Test
    void hostBitsAreCleared() throws NetworkFailure {
        assertEquals("10.244.3.0/24", Cidr.parse("10.244.3.77/24").toString());
        assertEquals("192.168.0.0/16", Cidr.parse("192.168.44.1/16").toString());
    }

    @Test
    void addressesAboveTheSignBitWork() throws NetworkFailure {
        Cidr cidr = Cidr.parse("192.168.10.0/29");
        assertEquals(5, cidr.podCount());
        assertEquals("192.168.10.6", Cidr.format(cidr.lastPod()));
        assertTrue(cidr.contains(Cidr.address("192.168.10.7")));
        assertFalse(cidr.contains(Cidr.address("192.168.10.8")));
        assertEquals("255.255.255.255", Cidr.format(Cidr.address("255.255.255.255")));
    }

    @Test
    void containsAndTheWholeInternet() throws NetworkFailure {
        Cidr cluster = Cidr.parse("10.244.0.0/16");
        assertTrue(cluster.contains(Cidr.address("10.244.255.1")));
        assertFalse(cluster.contains(Cidr.address("10.245.0.1")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(Cidr.address("8.8.8.8")));
    }

    @Test
    void aSlash30HoldsOnePodAndSmallerOnesNone() throws NetworkFailure {
        assertEquals(1, Cidr.parse("10.1.1.4/30").requirePodRange().podCount());
        NetworkFailure small = assertThrows(NetworkFailure.class, () -> Cidr.parse("10.1.1.4/31").requirePodRange());
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        NetworkFailure large = assertThrows(NetworkFailure.class, () -> Cidr.parse("10.0.0.0/7").requirePodRange());
        assertTrue(large.getMessage().contains("too large"), large.getMessage());
    }

    @Test
    void rejectsWhatIsNotAnIpv4Cidr() {
        for (String bad : new String[] {"10.244.0.0", "10.244.0.0/33", "10.244.0/24", "10.244.0.256/24", "fd00::/64",
                "10.244.0.0/x", "10.244.-1.0/24", "", "a.b.c.d/8"}) {
            assertThrows(NetworkFailure.class, () -> Cidr.parse(bad), bad);
        }
        assertThrows(NetworkFailure.class, () -> Cidr.parse(null));
    }
}
