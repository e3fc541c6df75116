package io.kubundle.net.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NetworkFailure;

final class CniResultTest {
    @Test
    void aResultOf040KeepsOnlyTheSandboxsAddressesIpv4First() throws Exception {
        // as the bridge plugin prints it: the bridge and the host veth have no sandbox
        String result = """
                {"cniVersion": "0.4.0",
                 "interfaces": [{"name": "cni0", "mac": "aa"}, {"name": "veth1", "mac": "bb"},
                                {"name": "eth0", "mac": "cc", "sandbox": "/run/netns/p"}],
                 "ips": [{"version": "6", "address": "fd00::5/64", "gateway": "fd00::1", "interface": 2},
                         {"version": "4", "address": "10.22.0.5/16", "gateway": "10.22.0.1", "interface": 2},
                         {"version": "4", "address": "10.99.0.1/16", "interface": 0}],
                 "routes": [{"dst": "0.0.0.0/0"}], "dns": {}}""";
        assertEquals(new Attachment("cni", "eth0", List.of("10.22.0.5", "fd00::5"), "10.22.0.1"),
                CniResult.attachment("cni", "eth0", NetworkList.JSON.readTree(result)));
    }

    @Test
    void aResultOf100WithoutGatewayTakesTheDefaultRoutes() throws Exception {
        String result = """
                {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0", "sandbox": "/run/netns/p"}],
                 "ips": [{"address": "10.1.0.7/32", "interface": 0}],
                 "routes": [{"dst": "10.0.0.0/8", "gw": "169.254.1.2"}, {"dst": "0.0.0.0/0", "gw": "169.254.1.1"}]}""";
        assertEquals(new Attachment("cni", "eth0", List.of("10.1.0.7"), "169.254.1.1"),
                CniResult.attachment("cni", "eth0", NetworkList.JSON.readTree(result)));
    }

    @Test
    void addressesWithoutInterfacesCount() throws Exception {
        String result = "{\"cniVersion\": \"1.0.0\", \"ips\": [{\"address\": \"10.1.0.8/24\"}]}";
        assertEquals(new Attachment("cni", "eth0", List.of("10.1.0.8"), null),
                CniResult.attachment("cni", "eth0", NetworkList.JSON.readTree(result)));
    }

    @Test
    void aResultOf020HasIp4AndIp6() throws Exception {
        String result = """
                {"cniVersion": "0.2.0", "ip6": {"ip": "fd00::9/64"},
                 "ip4": {"ip": "10.5.0.9/24", "gateway": "10.5.0.1", "routes": [{"dst": "0.0.0.0/0"}]}}""";
        assertEquals(new Attachment("cni", "net1", List.of("10.5.0.9", "fd00::9"), "10.5.0.1"),
                CniResult.attachment("cni", "net1", NetworkList.JSON.readTree(result)));
    }

    @Test
    void noResultFails() {
        assertThrows(NetworkFailure.class, () -> CniResult.attachment("cni", "eth0", null));
        assertThrows(NetworkFailure.class, () -> CniResult.attachment("cni", "eth0", NetworkList.JSON.readTree("[]")));
    }
}
