package io.kubundle.net.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kubundle.api.network.NetworkFailure;

final class NetworkListTest {
    @TempDir
    Path dir;

    @Test
    void aConflistIsReadAsItIs() throws Exception {
        NetworkList list = NetworkList.parse("""
                {"cniVersion": "1.0.0", "name": "net", "disableCheck": true,
                 "plugins": [{"type": "bridge", "bridge": "cni0"}, {"type": "portmap"}]}""", "x");
        assertEquals("net", list.name());
        assertEquals("1.0.0", list.cniVersion());
        assertTrue(list.disableCheck());
        assertEquals(List.of("bridge", "portmap"), list.plugins().stream().map(p -> p.path("type").asText()).toList());
        assertEquals("cni0", list.plugins().get(0).path("bridge").asText());
        assertEquals(1, list.first(1).plugins().size());
        assertEquals(2, list.plugins().size(), "first() copies");
    }

    @Test
    void aSinglePluginConfigurationIsAListOfOne() throws Exception {
        NetworkList list = NetworkList.parse("{\"cniVersion\": \"0.4.0\", \"name\": \"lo\", \"type\": \"loopback\"}", "x");
        assertEquals("lo", list.name());
        assertEquals("0.4.0", list.cniVersion());
        assertFalse(list.disableCheck());
        assertEquals(List.of("loopback"), list.plugins().stream().map(p -> p.path("type").asText()).toList());
    }

    @Test
    void invalidConfigurationsSayWhatIsWrong() {
        assertFailure("{", "is not JSON");
        assertFailure("[]", "is not a JSON object");
        assertFailure("{\"cniVersion\": \"1.0.0\", \"plugins\": [{\"type\": \"bridge\"}]}", "has no \"name\"");
        assertFailure("{\"name\": \"n\", \"plugins\": [{\"type\": \"bridge\"}]}", "has no \"cniVersion\"");
        assertFailure("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"plugins\": []}", "has no plugins");
        assertFailure("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"plugins\": [{\"bridge\": \"x\"}]}", "needs a \"type\"");
        assertFailure("{\"cniVersion\": \"1.0.0\", \"name\": \"n\", \"plugins\": [{\"type\": \"../../bin/sh\"}]}",
                "is not a CNI plugin name");
    }

    private static void assertFailure(String json, String message) {
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> NetworkList.parse(json, "f.conflist"));
        assertTrue(failure.getMessage().contains("f.conflist") || failure.getMessage().contains("CNI plugin name"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains(message), failure.getMessage());
    }

    @Test
    void theFirstValidFileInLexicalOrderIsTheDefaultAndANameSelects() throws Exception {
        write("30-c.conf", "{\"cniVersion\": \"0.4.0\", \"name\": \"c\", \"type\": \"ptp\"}");
        write("20-b.conflist", conflist("b"));
        write("10-a.conflist", "{ broken");
        write("05-z.txt", conflist("z"));
        write("40-d.json", conflist("d"));
        assertEquals("b", NetworkList.load(dir, "").name(), "the broken 10-a is skipped, 05-z.txt is no configuration");
        assertEquals("c", NetworkList.load(dir, "c").name());
        assertEquals("d", NetworkList.load(dir, "d").name());
        NetworkFailure none = assertThrows(NetworkFailure.class, () -> NetworkList.load(dir, "z"));
        assertTrue(none.getMessage().startsWith("no CNI network named \"z\" in " + dir), none.getMessage());
        assertTrue(none.getMessage().contains("10-a.conflist is not JSON"), none.getMessage());
        NetworkFailure missing = assertThrows(NetworkFailure.class, () -> NetworkList.load(dir.resolve("nope"), ""));
        assertTrue(missing.getMessage().contains("cannot read the CNI configuration directory"), missing.getMessage());
    }

    @Test
    void thePodCidrIsPutWhereAsked() throws Exception {
        NetworkList list = NetworkList.parse("""
                {"cniVersion": "1.0.0", "name": "n", "plugins": [
                  {"type": "bridge", "ipam": {"type": "host-local", "ranges": [[{"subnet": "{{podCIDR}}"}]]}},
                  {"type": "calico", "ipam": {"type": "host-local", "subnet": "usePodCidr"}, "note": "usePodCidr"},
                  {"type": "x", "routes": ["via {{podCIDR}}"]}
                ]}""", "x");
        assertTrue(list.needsPodCidr());
        NetworkList filled = list.withPodCidr("10.244.3.0/24");
        assertFalse(filled.needsPodCidr());
        assertEquals("10.244.3.0/24", filled.plugins().get(0).at("/ipam/ranges/0/0/subnet").asText());
        assertEquals("10.244.3.0/24", filled.plugins().get(1).at("/ipam/subnet").asText());
        assertEquals("usePodCidr", filled.plugins().get(1).path("note").asText(), "only host-local's subnet");
        assertEquals("via 10.244.3.0/24", filled.plugins().get(2).at("/routes/0").asText());
        assertTrue(list.needsPodCidr(), "the original is unchanged");
        assertFalse(NetworkList.parse(conflist("plain"), "x").needsPodCidr());
    }

    private void write(String name, String text) throws Exception {
        Files.writeString(dir.resolve(name), text);
    }

    private static String conflist(String name) {
        return "{\"cniVersion\": \"1.0.0\", \"name\": \"" + name + "\", \"plugins\": [{\"type\": \"bridge\"}]}";
    }
}
