package io.kubundle.net.flannel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

final class EntriesTest {
    private static final String DEVICE = "flannel.1";
    private static final Peer NODE_2 = new Peer("node-2", Subnet.parse("10.244.2.0/24"), "0e:11:22:33:44:55", "192.168.9.2");
    private static final Peer NODE_3 = new Peer("node-3", Subnet.parse("10.244.3.0/24"), "0e:11:22:33:44:66", "192.168.9.3");
    /** What iproute2 6.1 prints for a VTEP with NODE_2's entries (captured). */
    private static final String ROUTES = "[{\"dst\":\"10.244.2.0/24\",\"gateway\":\"10.244.2.0\",\"flags\":[\"onlink\"]}]";
    private static final String NEIGHBOURS =
            "[{\"dst\":\"10.244.2.0\",\"lladdr\":\"0e:11:22:33:44:55\",\"state\":[\"PERMANENT\"]}]";
    private static final String FDB =
            "[{\"mac\":\"0e:11:22:33:44:55\",\"dst\":\"192.168.9.2\",\"flags\":[\"self\"],\"state\":\"permanent\"}]";

    @Test
    void anEmptyDeviceGetsTheThreeEntriesOfEachPeerFdbFirstRouteLast() throws IOException {
        assertEquals(List.of(
                fdbReplace("0e:11:22:33:44:55", "192.168.9.2"),
                fdbReplace("0e:11:22:33:44:66", "192.168.9.3"),
                List.of("ip", "neigh", "replace", "10.244.2.0", "lladdr", "0e:11:22:33:44:55", "dev", DEVICE, "nud", "permanent"),
                List.of("ip", "neigh", "replace", "10.244.3.0", "lladdr", "0e:11:22:33:44:66", "dev", DEVICE, "nud", "permanent"),
                List.of("ip", "route", "replace", "10.244.2.0/24", "via", "10.244.2.0", "dev", DEVICE, "onlink"),
                List.of("ip", "route", "replace", "10.244.3.0/24", "via", "10.244.3.0", "dev", DEVICE, "onlink")),
                Entries.parse("[]", "", "[]").changesTo(Entries.wanted(List.of(NODE_2, NODE_3)), DEVICE));
    }

    @Test
    void whatTheKernelReportsIsReadBackAsWhatWasWanted() throws IOException {
        Entries reported = Entries.parse(ROUTES, NEIGHBOURS, FDB);
        assertEquals(Entries.wanted(List.of(NODE_2)), reported);
        assertEquals(List.of(), reported.changesTo(Entries.wanted(List.of(NODE_2)), DEVICE), "a repeat changes nothing");
    }

    @Test
    void aPeerGoneHasItsEntriesDeletedRouteFirst() throws IOException {
        assertEquals(List.of(
                List.of("ip", "route", "del", "10.244.2.0/24", "dev", DEVICE),
                List.of("ip", "neigh", "del", "10.244.2.0", "dev", DEVICE),
                List.of("bridge", "fdb", "del", "0e:11:22:33:44:55", "dev", DEVICE, "dst", "192.168.9.2", "self")),
                Entries.parse(ROUTES, NEIGHBOURS, FDB).changesTo(Entries.wanted(List.of()), DEVICE));
    }

    @Test
    void aPeerWithANewVtepHasItsEntriesReplacedAndTheOldForwardingDeleted() throws IOException {
        Peer recreated = new Peer("node-2", NODE_2.subnet(), "0e:99:99:99:99:99", "192.168.9.2");
        assertEquals(List.of(
                fdbReplace("0e:99:99:99:99:99", "192.168.9.2"),
                List.of("ip", "neigh", "replace", "10.244.2.0", "lladdr", "0e:99:99:99:99:99", "dev", DEVICE, "nud", "permanent"),
                List.of("bridge", "fdb", "del", "0e:11:22:33:44:55", "dev", DEVICE, "dst", "192.168.9.2", "self")),
                Entries.parse(ROUTES, NEIGHBOURS, FDB).changesTo(Entries.wanted(List.of(recreated)), DEVICE));
    }

    @Test
    void aPeerThatMovedToAnotherAddressGetsItsForwardingReplaced() throws IOException {
        Peer moved = new Peer("node-2", NODE_2.subnet(), NODE_2.vtepMac(), "192.168.9.20");
        assertEquals(List.of(
                fdbReplace("0e:11:22:33:44:55", "192.168.9.20"),
                List.of("bridge", "fdb", "del", "0e:11:22:33:44:55", "dev", DEVICE, "dst", "192.168.9.2", "self")),
                Entries.parse(ROUTES, NEIGHBOURS, FDB).changesTo(Entries.wanted(List.of(moved)), DEVICE));
    }

    @Test
    void entriesThatDifferFromWhatIsWantedAreReplacedAndStrangersDeleted() throws IOException {
        Entries reported = Entries.parse(
                "[{\"dst\":\"10.244.2.0/24\",\"gateway\":\"10.244.2.0\",\"flags\":[]},"
                        + "{\"dst\":\"default\",\"gateway\":\"10.244.9.0\",\"flags\":[\"onlink\"]},"
                        + "{\"dst\":\"10.244.7.5\",\"flags\":[]}]",
                "[{\"dst\":\"10.244.2.0\",\"lladdr\":\"0E:11:22:33:44:55\",\"state\":[\"STALE\"]},"
                        + "{\"dst\":\"10.244.8.1\",\"state\":[\"FAILED\"]}]",
                "[{\"mac\":\"0e:11:22:33:44:55\",\"dst\":\"192.168.9.2\",\"flags\":[\"self\"],\"state\":\"permanent\"},"
                        + "{\"mac\":\"33:33:00:00:00:01\",\"flags\":[\"self\"],\"state\":\"permanent\"}]");
        assertEquals(Set.of(new Entries.Route("10.244.2.0/24", "10.244.2.0", false),
                new Entries.Route("default", "10.244.9.0", true), new Entries.Route("10.244.7.5/32", "", false)),
                reported.routes());
        assertEquals(List.of(
                List.of("ip", "neigh", "replace", "10.244.2.0", "lladdr", "0e:11:22:33:44:55", "dev", DEVICE, "nud", "permanent"),
                List.of("ip", "route", "replace", "10.244.2.0/24", "via", "10.244.2.0", "dev", DEVICE, "onlink"),
                List.of("ip", "route", "del", "default", "dev", DEVICE),
                List.of("ip", "route", "del", "10.244.7.5/32", "dev", DEVICE),
                List.of("ip", "neigh", "del", "10.244.8.1", "dev", DEVICE)),
                reported.changesTo(Entries.wanted(List.of(NODE_2)), DEVICE));
    }

    @Test
    void aReportThatIsNotAnArrayIsAnError() {
        assertThrows(IOException.class, () -> Entries.parse("{}", "[]", "[]"));
        assertThrows(IOException.class, () -> Entries.parse("[", "[]", "[]"));
    }

    private static List<String> fdbReplace(String mac, String dst) {
        return List.of("bridge", "fdb", "replace", mac, "dev", DEVICE, "dst", dst, "self", "permanent");
    }
}
