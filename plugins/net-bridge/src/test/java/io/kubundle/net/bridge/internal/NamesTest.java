package io.kubundle.net.bridge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.kubundle.api.network.NetworkFailure;

final class NamesTest {
    @Test
    void theHostVethIsDerivedFromTheUidAndFitsLinux() {
        String name = Names.hostVeth("6f1c2a9e-0b1d-4c7e-9d2f-3a4b5c6d7e8f");
        assertEquals(Names.MAX_INTERFACE_NAME, name.length());
        assertTrue(name.matches("veth[0-9a-f]{11}"), name);
        assertEquals(name, Names.hostVeth("6f1c2a9e-0b1d-4c7e-9d2f-3a4b5c6d7e8f"));
        assertNotEquals(name, Names.hostVeth("6f1c2a9e-0b1d-4c7e-9d2f-3a4b5c6d7e8e"));
    }

    @Test
    void tenThousandPodsGetTenThousandNames() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            names.add(Names.hostVeth("pod-" + i));
        }
        assertEquals(10_000, names.size());
    }

    @Test
    void interfaceNamesAreWhatLinuxTakesAndNothingThatBreaksABatchLine() throws NetworkFailure {
        assertEquals("eth0", Names.requireInterfaceName("pod interface", "eth0"));
        assertEquals("kubundle0", Names.requireInterfaceName("bridge", "kubundle0"));
        for (String bad : new String[] {"", "sixteen-chars-xx", "eth 0", "eth0\nlink del kubundle0", "a/b", "\"x\""}) {
            NetworkFailure failure = assertThrows(NetworkFailure.class, () -> Names.requireInterfaceName("bridge", bad));
            assertTrue(failure.getMessage().startsWith("bridge '"), failure.getMessage());
        }
        assertThrows(NetworkFailure.class, () -> Names.requireInterfaceName("bridge", null));
    }

    @Test
    void theBridgeMacIsLocallyAdministeredUnicastAndStable() {
        String mac = HostSetup.mac("kubundle0");
        assertTrue(mac.matches("02(:[0-9a-f]{2}){5}"), mac);
        assertEquals(mac, HostSetup.mac("kubundle0"));
        assertNotEquals(mac, HostSetup.mac("kubundle1"));
    }
}
