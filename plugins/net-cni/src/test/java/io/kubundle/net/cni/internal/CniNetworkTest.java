package io.kubundle.net.cni.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.kubundle.api.network.Attachment;
import io.kubundle.api.network.NetworkFailure;
import io.kubundle.api.network.NodeNetwork;
import io.kubundle.api.network.PodRef;

/** The plugin's side of the execution protocol, against shell scripts that log what they are given. */
final class CniNetworkTest {
    private static final String RESULT_A = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni0\"},"
            + "{\"name\":\"eth0\",\"sandbox\":\"/x\"}],\"ips\":[{\"address\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\",\"interface\":1}]}";
    private static final String RESULT_B = RESULT_A.replace("10.1.2.3", "10.1.2.4");
    private static final String LIST = "{\"cniVersion\":\"1.0.0\",\"name\":\"NAME\",\"plugins\":["
            + "{\"type\":\"first\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"{{podCIDR}}\"}},"
            + "{\"type\":\"second\",\"capabilities\":{\"portMappings\":true,\"ipRanges\":true}}]}";

    private FakePlugins fake;
    private PodRef pod;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakePlugins();
        fake.plugin("first", RESULT_A);
        fake.plugin("second", RESULT_B);
        fake.conflist("10-test.conflist", LIST.replace("NAME", "test"));
        pod = new PodRef("uid-1", "default", "web", fake.netns.toString(), "eth0");
    }

    @AfterEach
    void tearDown() throws Exception {
        fake.close();
    }

    @Test
    void addRunsThePluginsInOrderChainingResultsAndDeleteRunsThemInReverse() throws Exception {
        CniNetwork network = fake.network();
        network.configure(new NodeNetwork("n1", "10.1.2.0/24", null));
        Attachment attachment = network.add(pod);

        assertEquals(new Attachment("cni", "eth0", List.of("10.1.2.4"), "10.1.2.1"), attachment, "the last plugin's result");
        List<FakePlugins.Call> calls = fake.calls();
        assertEquals(List.of("first ADD", "second ADD"), calls.stream().map(c -> c.plugin() + " " + c.command()).toList());
        FakePlugins.Call first = calls.get(0);
        assertEquals("1.0.0", first.stdin().path("cniVersion").asText());
        assertEquals("test", first.stdin().path("name").asText());
        assertEquals("10.1.2.0/24", first.stdin().path("ipam").path("subnet").asText(), "the pod CIDR put in");
        assertFalse(first.stdin().has("prevResult"));
        assertFalse(first.stdin().has("runtimeConfig"), "no capabilities asked");
        assertTrue(first.env().contains("CNI_COMMAND=ADD\n"));
        assertTrue(first.env().contains("CNI_CONTAINERID=uid-1\n"));
        assertTrue(first.env().contains("CNI_NETNS=" + fake.netns + "\n"));
        assertTrue(first.env().contains("CNI_IFNAME=eth0\n"));
        assertTrue(first.env().contains("CNI_PATH=" + fake.root.resolve("missing") + ":" + fake.bin + "\n"));
        assertTrue(first.env().contains("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;"
                + "K8S_POD_INFRA_CONTAINER_ID=uid-1;K8S_POD_UID=uid-1\n"));
        FakePlugins.Call second = calls.get(1);
        assertEquals(NetworkList.JSON.readTree(RESULT_A), second.stdin().get("prevResult"));
        assertEquals(NetworkList.JSON.readTree("{\"portMappings\":[],\"ipRanges\":[[{\"subnet\":\"10.1.2.0/24\"}]]}"),
                second.stdin().get("runtimeConfig"));

        network.check(pod);
        calls = fake.calls();
        assertEquals(List.of("first CHECK", "second CHECK"), calls.stream().map(c -> c.plugin() + " " + c.command()).toList());
        assertEquals(NetworkList.JSON.readTree(RESULT_B), calls.get(0).stdin().get("prevResult"));

        assertEquals(attachment, network.add(pod), "added again: the same attachment");
        assertTrue(fake.calls().stream().allMatch(c -> c.command().equals("CHECK")), "checked, not added again");

        network.delete(pod);
        calls = fake.calls();
        assertEquals(List.of("second DEL", "first DEL"), calls.stream().map(c -> c.plugin() + " " + c.command()).toList());
        assertEquals(NetworkList.JSON.readTree(RESULT_B), calls.get(0).stdin().get("prevResult"));
        assertTrue(calls.get(1).env().contains("CNI_NETNS=" + fake.netns + "\n"));

        network.delete(pod);
        assertEquals(List.of(), fake.calls(), "a second DEL has nothing to do");
        NetworkFailure notAdded = assertThrows(NetworkFailure.class, () -> network.check(pod));
        assertTrue(notAdded.getMessage().contains("was not added"), notAdded.getMessage());
    }

    @Test
    void deleteUsesTheCachedConfigurationAfterTheDirectoryChangedAndInANewInstance() throws Exception {
        CniNetwork network = fake.network();
        network.configure(new NodeNetwork("n1", "10.1.2.0/24", null));
        network.add(pod);
        fake.calls();
        Files.delete(fake.conf.resolve("10-test.conflist"));
        fake.conflist("00-other.conflist", "{\"cniVersion\":\"0.4.0\",\"name\":\"other\",\"plugins\":[{\"type\":\"second\"}]}");

        CniNetwork next = fake.network(); // a restart: only the disk is left
        next.check(pod);
        assertEquals(2, fake.calls().size());
        next.delete(pod);
        List<FakePlugins.Call> calls = fake.calls();
        assertEquals(List.of("second DEL", "first DEL"), calls.stream().map(c -> c.plugin() + " " + c.command()).toList());
        assertEquals("test", calls.get(1).stdin().path("name").asText());
        assertEquals("10.1.2.0/24", calls.get(1).stdin().path("ipam").path("subnet").asText());

        next.configure(new NodeNetwork("n1", "10.1.3.0/24", null));
        assertEquals(List.of("10.1.2.4"), next.add(pod).ips());
        assertEquals("other", fake.calls().get(0).stdin().path("name").asText(), "new pods get the new network");
    }

    @Test
    void withoutAPodCidrAPlaceholderFails() throws Exception {
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> fake.network().add(pod));
        assertTrue(failure.getMessage().contains("asks for the pod CIDR"), failure.getMessage());
        assertEquals(List.of(), fake.calls());
    }

    @Test
    void aFailingPluginUndoesWhatWasDoneAndReportsItsMessage() throws Exception {
        fake.failing("second", "ADD", "{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"bad bridge\",\"details\":\"no such thing\"}");
        CniNetwork network = fake.network();
        network.configure(new NodeNetwork("n1", "10.1.2.0/24", null));

        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> network.add(pod));
        assertTrue(failure.getMessage().contains("CNI plugin second ADD failed (code 7, invalid network config): bad bridge (no such thing)"),
                failure.getMessage());
        List<FakePlugins.Call> calls = fake.calls();
        assertEquals(List.of("first ADD", "second ADD", "second DEL", "first DEL"),
                calls.stream().map(c -> c.plugin() + " " + c.command()).toList());
        assertEquals(NetworkList.JSON.readTree(RESULT_A), calls.get(3).stdin().get("prevResult"), "the result so far");
        network.delete(pod);
        assertEquals(List.of(), fake.calls(), "nothing left to delete");
    }

    @Test
    void aDeleteThatFailsKeepsTheCacheForTheRetryUnlessTheNamespaceIsGone() throws Exception {
        CniNetwork network = fake.network();
        network.configure(new NodeNetwork("n1", "10.1.2.0/24", null));
        network.add(pod);
        fake.failing("first", "DEL", "{\"code\":11,\"msg\":\"busy\"}");
        fake.calls();

        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> network.delete(pod));
        assertTrue(failure.getMessage().contains("(code 11, try again later): busy"), failure.getMessage());
        assertEquals(List.of("second DEL", "first DEL"), fake.calls().stream().map(c -> c.plugin() + " " + c.command()).toList());

        Files.delete(fake.netns);
        network.delete(pod);
        List<FakePlugins.Call> calls = fake.calls();
        assertEquals(2, calls.size());
        assertTrue(calls.get(0).env().contains("CNI_NETNS=\n"), "no namespace to pass");
        network.delete(pod);
        assertEquals(List.of(), fake.calls());
    }

    @Test
    void anAddCutShortIsUndoneByTheNextCall() throws Exception {
        CniNetwork network = fake.network();
        network.configure(new NodeNetwork("n1", "10.1.2.0/24", null));
        // what a crash between the cache's first write and the result leaves
        new ResultCache(fake.state.resolve("results")).put(new ResultCache.Entry("uid-1", "eth0", fake.netns.toString(),
                network.current(), null));

        network.add(pod);
        assertEquals(List.of("second DEL", "first DEL", "first ADD", "second ADD"),
                fake.calls().stream().map(c -> c.plugin() + " " + c.command()).toList());
        NetworkFailure halfDone = assertThrows(NetworkFailure.class, () -> {
            new ResultCache(fake.state.resolve("results")).put(new ResultCache.Entry("uid-1", "eth0", fake.netns.toString(),
                    network.current(), null));
            network.check(pod);
        });
        assertTrue(halfDone.getMessage().contains("did not finish"), halfDone.getMessage());
    }

    @Test
    void checkIsSkippedBeforeVersion040AndWhenDisabled() throws Exception {
        fake.conflist("10-test.conflist", "{\"cniVersion\":\"0.3.1\",\"name\":\"old\",\"plugins\":[{\"type\":\"first\"}]}");
        CniNetwork network = fake.network();
        network.add(pod);
        fake.calls();
        network.check(pod);
        assertEquals(List.of(), fake.calls());
        network.delete(pod);
        assertFalse(fake.calls().get(0).stdin().has("prevResult"), "DEL of 0.3.1 has no prevResult");
        fake.conflist("10-test.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"disableCheck\":true,\"plugins\":[{\"type\":\"first\"}]}");
        network.add(pod);
        fake.calls();
        network.check(pod);
        assertEquals(List.of(), fake.calls());
    }

    @Test
    void aMissingNamespaceOrPluginFails() throws Exception {
        CniNetwork network = fake.network();
        network.configure(new NodeNetwork("n1", "10.1.2.0/24", null));
        PodRef gone = new PodRef("uid-2", "default", "gone", fake.root.resolve("nothing").toString(), "eth0");
        NetworkFailure failure = assertThrows(NetworkFailure.class, () -> network.add(gone));
        assertTrue(failure.getMessage().contains("does not exist"), failure.getMessage());
        network.delete(gone);

        fake.conflist("10-test.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"type\":\"first\"},{\"type\":\"absent\"}]}");
        failure = assertThrows(NetworkFailure.class, () -> network.add(pod));
        assertTrue(failure.getMessage().contains("CNI plugin \"absent\" not found in"), failure.getMessage());
        assertNull(new ResultCache(fake.state.resolve("results")).get("uid-1", "eth0").orElse(null), "undone");
    }

    @Test
    void versionsCompareNumerically() {
        assertTrue(CniNetwork.compareVersions("0.4.0", "0.3.1") > 0);
        assertTrue(CniNetwork.compareVersions("1.0.0", "0.4.0") > 0);
        assertTrue(CniNetwork.compareVersions("0.10.0", "0.4.0") > 0);
        assertEquals(0, CniNetwork.compareVersions("0.4", "0.4.0"));
    }
}
