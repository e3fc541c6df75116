package io.kubundle.apiserver.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class DiscoveryAndTablesTest {
    private final ResourceTypes types = ResourceTypes.builtIn();
    private final Discovery discovery = new Discovery(types);

    @Test
    void groupsPreferTheCurrentVersionAndListLegacyOnes() {
        JsonNode apps = discovery.group("apps");
        assertEquals("apps/v1", apps.path("preferredVersion").path("groupVersion").asText());
        assertEquals(3, apps.path("versions").size());
        List<String> groups = new ArrayList<>();
        discovery.groups().path("groups").forEach(g -> groups.add(g.path("name").asText()));
        assertTrue(groups.indexOf("apps") < groups.indexOf("extensions"), groups.toString());
        assertNull(discovery.group("nosuch.example.com"));
    }

    @Test
    void legacyVersionsServeOnlyTheirKinds() {
        List<String> names = new ArrayList<>();
        discovery.resources("extensions", "v1beta1").path("resources").forEach(r -> names.add(r.path("name").asText()));
        assertTrue(names.containsAll(List.of("deployments", "daemonsets", "replicasets")), names.toString());
        assertTrue(!names.contains("statefulsets"), names.toString());
        assertEquals("deployments", types.byResource("extensions", "v1beta1", "deployments").orElseThrow().plural());
    }

    @Test
    void coreResourcesCarryVerbsShortNamesAndSubresources() {
        JsonNode resources = discovery.resources("", "v1").path("resources");
        JsonNode pods = null;
        boolean podStatus = false;
        for (JsonNode resource : resources) {
            if (resource.path("name").asText().equals("pods")) {
                pods = resource;
            }
            podStatus |= resource.path("name").asText().equals("pods/status");
        }
        assertEquals("po", pods.path("shortNames").get(0).asText());
        assertTrue(pods.path("verbs").toString().contains("watch"));
        assertTrue(podStatus);
    }

    @Test
    void humanDurationsMatchKubectl() {
        assertEquals("45s", Tables.humanDuration(Duration.ofSeconds(45)));
        assertEquals("119s", Tables.humanDuration(Duration.ofSeconds(119)));
        assertEquals("2m5s", Tables.humanDuration(Duration.ofSeconds(125)));
        assertEquals("15m", Tables.humanDuration(Duration.ofMinutes(15)));
        assertEquals("3h5m", Tables.humanDuration(Duration.ofMinutes(185)));
        assertEquals("20h", Tables.humanDuration(Duration.ofHours(20)));
        assertEquals("3d4h", Tables.humanDuration(Duration.ofHours(76)));
        assertEquals("30d", Tables.humanDuration(Duration.ofDays(30)));
    }

    @Test
    void podTablePrintsKubectlsColumns() throws Exception {
        ObjectNode pod = (ObjectNode) new ObjectMapper().readTree("""
                {"metadata":{"name":"web-1","namespace":"default","creationTimestamp":"2020-01-01T00:00:00Z"},
                 "spec":{"containers":[{"name":"a"},{"name":"b"}],"nodeName":"node-1"},
                 "status":{"phase":"Running","podIP":"10.244.0.5","containerStatuses":[
                   {"ready":true,"restartCount":1,"state":{"running":{}}},
                   {"ready":false,"restartCount":2,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}
                """);
        ResourceType pods = types.byResource("", "v1", "pods").orElseThrow();
        JsonNode table = Tables.table(pods, List.of(pod), "7", null, true);
        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
        assertEquals(List.of("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"), columns);
        JsonNode cells = table.path("rows").get(0).path("cells");
        assertEquals("web-1", cells.get(0).asText());
        assertEquals("1/2", cells.get(1).asText());
        assertEquals("CrashLoopBackOff", cells.get(2).asText());
        assertEquals(3, cells.get(3).asInt());
        assertEquals("node-1", cells.get(6).asText());
        assertEquals("PartialObjectMetadata", table.path("rows").get(0).path("object").path("kind").asText());
    }

    private List<String> row(String plural, String group, String json) throws Exception {
        ResourceType type = types.byResource(group, "v1", plural).orElseThrow();
        JsonNode table = Tables.table(type, List.of((ObjectNode) new ObjectMapper().readTree(json)), "7", null, true);
        List<String> cells = new ArrayList<>();
        table.path("rows").get(0).path("cells").forEach(c -> cells.add(c.asText()));
        return cells;
    }

    @Test
    void volumeTablesPrintKubectlsColumns() throws Exception {
        List<String> claim = row("persistentvolumeclaims", "", """
                {"metadata":{"name":"data","namespace":"default","creationTimestamp":"2020-01-01T00:00:00Z"},
                 "spec":{"volumeName":"pvc-1","storageClassName":"local-path"},
                 "status":{"phase":"Bound","capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce","ReadOnlyMany"]}}
                """);
        assertEquals(List.of("data", "Bound", "pvc-1", "1Gi", "RWO,ROX", "local-path", "<unset>"), claim.subList(0, 7));
        List<String> volume = row("persistentvolumes", "", """
                {"metadata":{"name":"pvc-1","creationTimestamp":"2020-01-01T00:00:00Z"},
                 "spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"],"persistentVolumeReclaimPolicy":"Delete",
                         "claimRef":{"namespace":"default","name":"data"},"storageClassName":"local-path"},
                 "status":{"phase":"Bound"}}
                """);
        assertEquals(List.of("pvc-1", "1Gi", "RWO", "Delete", "Bound", "default/data", "local-path", "<unset>", ""), volume.subList(0, 9));
        List<String> storageClass = row("storageclasses", "storage.k8s.io", """
                {"metadata":{"name":"local-path","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
                 "provisioner":"kubundle.io/local-path","reclaimPolicy":"Delete","volumeBindingMode":"WaitForFirstConsumer"}
                """);
        assertEquals(List.of("local-path (default)", "kubundle.io/local-path", "Delete", "WaitForFirstConsumer", "false"),
                storageClass.subList(0, 5));
    }
}
