package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceKind;

/**
 * Services on a master with simulated nodes, driven by the real kubectl: ClusterIPs and node
 * ports allocated (unique, requested ones honoured, conflicts refused with 422 and the field, freed
 * on delete), every type, {@code kubectl expose}, Endpoints and EndpointSlices following scale and
 * readiness (a pod whose status the test writes, as no kubelet runs it), named target ports,
 * headless hostnames, mirroring of a selector-less Service's Endpoints, and the LoadBalancer pool
 * plugin uninstalled and installed again while Services keep their addresses.
 */
class ServicesIT {
    private static final ResourceKind<ObjectNode> SERVICES = ResourceKind.of("v1", "Service", "services", true, ObjectNode.class);
    private static final ResourceKind<ObjectNode> ENDPOINTS = ResourceKind.of("v1", "Endpoints", "endpoints", true, ObjectNode.class);
    private static final ResourceKind<ObjectNode> SLICES = ResourceKind.of("discovery.k8s.io/v1", "EndpointSlice", "endpointslices", true,
            ObjectNode.class);
    private static final ResourceKind<ObjectNode> IP_ADDRESSES = ResourceKind.of("networking.k8s.io/v1", "IPAddress", "ipaddresses", false,
            ObjectNode.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static SimCluster cluster;

    @BeforeAll
    static void startUp() throws Exception {
        cluster = SimCluster.start(dir, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ResourceClient<ObjectNode> services() {
        return cluster.client.resources(SERVICES);
    }

    private static JsonNode service(String name) throws Exception {
        return services().get("default", name);
    }

    private static JsonNode json(String... kubectlArgs) throws Exception {
        return JSON.readTree(cluster.kubectl(kubectlArgs));
    }

    private static Distribution.Result create(String name, String yaml) throws Exception {
        return cluster.kubectl.run("create", "-f", cluster.manifest(name + ".yaml", yaml).toString());
    }

    private static boolean created(String name, String yaml) {
        try {
            return create(name, yaml).exitCode() == 0;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String serviceYaml(String name, String type, String extraSpec, String ports) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                spec:
                  type: %s
                  selector: {app: %s}
                %s  ports:
                %s""".formatted(name, type, name, extraSpec, ports);
    }

    private static boolean ipFree(String ip) {
        try {
            return cluster.client.resources(IP_ADDRESSES).find(null, ip).isEmpty();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyTypeGetsWhatKubernetesGivesIt() throws Exception {
        cluster.kubectl("apply", "-f", cluster.manifest("types.yaml", serviceYaml("t-cip", "ClusterIP", "", "  - {port: 80}\n")
                + "---\n" + serviceYaml("t-np", "NodePort", "", "  - {name: http, port: 80}\n  - {name: dns, port: 53, protocol: UDP}\n")
                + "---\n" + serviceYaml("t-lb", "LoadBalancer", "", "  - {port: 443}\n")
                + "---\n" + serviceYaml("t-headless", "ClusterIP", "  clusterIP: None\n", "  - {port: 5432}\n")
                + "---\napiVersion: v1\nkind: Service\nmetadata: {name: t-ext}\nspec: {type: ExternalName, externalName: example.com}\n")
                .toString());
        try {
            Set<String> ips = new HashSet<>();
            for (String name : List.of("t-cip", "t-np", "t-lb")) {
                JsonNode spec = service(name).path("spec");
                String ip = spec.path("clusterIP").asText();
                assertTrue(ip.startsWith("10.") && inServiceRange(ip), name + ": " + ip);
                assertTrue(ips.add(ip), "unique: " + ip);
                assertEquals(ip, spec.path("clusterIPs").path(0).asText());
                assertEquals("[\"IPv4\"]", spec.path("ipFamilies").toString());
                assertEquals("SingleStack", spec.path("ipFamilyPolicy").asText());
                assertEquals("Cluster", spec.path("internalTrafficPolicy").asText());
                JsonNode address = cluster.client.resources(IP_ADDRESSES).get(null, ip);
                assertEquals(name, address.path("spec").path("parentRef").path("name").asText());
                assertEquals("services", address.path("spec").path("parentRef").path("resource").asText());
            }
            JsonNode np = service("t-np").path("spec");
            int http = np.path("ports").path(0).path("nodePort").asInt();
            int dns = np.path("ports").path(1).path("nodePort").asInt();
            assertTrue(http >= 30000 && http <= 32767 && dns >= 30000 && dns <= 32767 && http != dns, np.toString());
            assertEquals("Cluster", np.path("externalTrafficPolicy").asText());
            assertFalse(service("t-cip").path("spec").path("ports").path(0).has("nodePort"));
            JsonNode lb = service("t-lb").path("spec");
            assertTrue(lb.path("ports").path(0).path("nodePort").asInt() >= 30000);
            assertTrue(lb.path("allocateLoadBalancerNodePorts").asBoolean());
            assertEquals("None", service("t-headless").path("spec").path("clusterIP").asText());
            assertFalse(service("t-ext").path("spec").has("clusterIP"));
            SimCluster.await(() -> lbIp("t-lb").startsWith("172.30.255."), "t-lb gets a pool address", 20);

            String table = cluster.kubectl("get", "svc", "t-cip", "t-np", "t-lb", "t-headless", "t-ext");
            assertTrue(table.lines().findFirst().orElseThrow().matches("NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE"), table);
            assertTrue(table.contains("80:" + http + "/TCP,53:" + dns + "/UDP"), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("t-lb ") && l.contains(lbIp("t-lb"))), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("t-headless ") && l.contains(" None ")), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("t-ext ") && l.matches("t-ext\\s+ExternalName\\s+<none>\\s+example.com\\s+.*")),
                    table);
        } finally {
            cluster.kubectl("delete", "svc", "t-cip", "t-np", "t-lb", "t-headless", "t-ext", "--ignore-not-found");
        }
    }

    private static boolean inServiceRange(String ip) {
        String[] octets = ip.split("\\.");
        int second = Integer.parseInt(octets[1]);
        return octets[0].equals("10") && second >= 96 && second <= 111;
    }

    private static String lbIp(String name) {
        try {
            return service(name).path("status").path("loadBalancer").path("ingress").path(0).path("ip").asText("");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void requestedValuesAreHonouredConflictsRefusedAndDeleteFrees() throws Exception {
        Distribution.Result first = create("r-a", serviceYaml("r-a", "NodePort", "  clusterIP: 10.96.200.200\n",
                "  - {port: 80, nodePort: 30200}\n"));
        assertEquals(0, first.exitCode(), first.err());
        try {
            JsonNode a = service("r-a").path("spec");
            assertEquals("10.96.200.200", a.path("clusterIP").asText());
            assertEquals(30200, a.path("ports").path(0).path("nodePort").asInt());

            Distribution.Result ipTaken = create("r-b", serviceYaml("r-b", "ClusterIP", "  clusterIP: 10.96.200.200\n", "  - {port: 80}\n"));
            assertEquals(1, ipTaken.exitCode());
            assertTrue(ipTaken.err().contains("The Service \"r-b\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.200.200\"}: "
                    + "failed to allocate IP 10.96.200.200: provided IP is already allocated"), ipTaken.err());
            Distribution.Result portTaken = create("r-c", serviceYaml("r-c", "NodePort", "", "  - {port: 80, nodePort: 30200}\n"));
            assertEquals(1, portTaken.exitCode());
            assertTrue(portTaken.err().contains("spec.ports[0].nodePort: Invalid value: 30200: provided port is already allocated"),
                    portTaken.err());
            Distribution.Result ipOutside = create("r-d", serviceYaml("r-d", "ClusterIP", "  clusterIP: 192.168.7.7\n", "  - {port: 80}\n"));
            assertTrue(ipOutside.err().contains("The range of valid IPs is 10.96.0.0/12"), ipOutside.err());
            Distribution.Result portOutside = create("r-e", serviceYaml("r-e", "NodePort", "", "  - {port: 80, nodePort: 40000}\n"));
            assertTrue(portOutside.err().contains("spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. "
                    + "The range of valid ports is 30000-32767"), portOutside.err());
            for (String refused : List.of("r-b", "r-c", "r-d", "r-e")) {
                assertEquals(1, cluster.kubectl.run("get", "svc", refused).exitCode(), refused + " was not stored");
            }

            // the Status itself: 422 Invalid with the field as its cause
            ObjectNode body = (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"r-f\","
                    + "\"namespace\":\"default\"},\"spec\":{\"clusterIP\":\"10.96.200.200\",\"ports\":[{\"port\":80}]}}");
            try {
                services().create(body);
                throw new AssertionError("created a second Service on 10.96.200.200");
            } catch (ApiStatusException e) {
                assertEquals(422, e.code());
                assertEquals("Invalid", e.reason());
                assertEquals("spec.clusterIPs[0]", e.status().path("details").path("causes").path(0).path("field").asText());
                assertEquals("FieldValueInvalid", e.status().path("details").path("causes").path(0).path("reason").asText());
            }

            Distribution.Result moved = cluster.kubectl.run("patch", "svc", "r-a", "--type=merge", "-p",
                    "{\"spec\":{\"clusterIP\":\"10.96.200.201\",\"clusterIPs\":[\"10.96.200.201\"]}}");
            assertEquals(1, moved.exitCode());
            assertTrue(moved.err().contains("spec.clusterIP: Invalid value: \"10.96.200.201\": field is immutable"), moved.err());

            // NodePort back to ClusterIP: the node port goes, and is free for another Service
            cluster.kubectl("patch", "svc", "r-a", "--type=merge", "-p", "{\"spec\":{\"type\":\"ClusterIP\"}}");
            assertFalse(service("r-a").path("spec").path("ports").path(0).has("nodePort"));
            assertEquals("10.96.200.200", service("r-a").path("spec").path("clusterIP").asText());
            SimCluster.await(() -> created("r-c", serviceYaml("r-c", "NodePort", "", "  - {port: 80, nodePort: 30200}\n")),
                    "30200 is free again", 30);
        } finally {
            cluster.kubectl("delete", "svc", "r-a", "r-c", "--ignore-not-found");
        }
        SimCluster.await(() -> ipFree("10.96.200.200"), "10.96.200.200 freed", 30);
        Distribution.Result again = create("r-b", serviceYaml("r-b", "ClusterIP", "  clusterIP: 10.96.200.200\n", "  - {port: 80}\n"));
        assertEquals(0, again.exitCode(), again.err());
        cluster.kubectl("delete", "svc", "r-b");
    }

    @Test
    void concurrentCreatesNeverShareAnAddressOrAPort() throws Exception {
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            String name = "c-" + t;
            Thread thread = new Thread(() -> {
                try {
                    services().create((ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\""
                            + name + "\",\"namespace\":\"default\",\"labels\":{\"test\":\"concurrent\"}},\"spec\":{\"type\":\"NodePort\","
                            + "\"ports\":[{\"port\":80},{\"port\":81}]}}"));
                } catch (Exception e) {
                    failures.add(name + ": " + e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        try {
            assertTrue(failures.isEmpty(), failures.toString());
            List<ObjectNode> made = services().list("default", ListOptions.labels("test=concurrent")).items();
            assertEquals(16, made.size());
            Set<String> ips = made.stream().map(s -> s.path("spec").path("clusterIP").asText()).collect(Collectors.toSet());
            Set<Integer> ports = new HashSet<>();
            made.forEach(s -> s.path("spec").path("ports").forEach(p -> ports.add(p.path("nodePort").asInt())));
            assertEquals(16, ips.size(), ips.toString());
            assertEquals(32, ports.size(), ports.toString());
        } finally {
            cluster.kubectl("delete", "svc", "-l", "test=concurrent");
        }
    }

    private static final String WEB = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - name: web
                    image: nginx
                    ports:
                    - {name: http, containerPort: 8080}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports:
              - {name: http, port: 80, targetPort: http}
              - {name: admin, port: 9000, targetPort: 9001}
            """;

    private static JsonNode endpoints(String name) throws Exception {
        return cluster.client.resources(ENDPOINTS).find("default", name).orElse(null);
    }

    private static List<String> readyIps(String name) {
        try {
            JsonNode endpoints = endpoints(name);
            List<String> ips = new ArrayList<>();
            if (endpoints != null) {
                endpoints.path("subsets").forEach(s -> s.path("addresses").forEach(a -> ips.add(a.path("ip").asText())));
            }
            return ips;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<ObjectNode> slices(String service) {
        try {
            return cluster.client.resources(SLICES).list("default", ListOptions.labels("kubernetes.io/service-name=" + service)).items();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<JsonNode> sliceEndpoints(String service) {
        List<JsonNode> all = new ArrayList<>();
        slices(service).forEach(slice -> slice.path("endpoints").forEach(all::add));
        return all;
    }

    @Test
    void endpointsAndSlicesFollowScaleReadinessAndDeletion() throws Exception {
        cluster.kubectl("apply", "-f", cluster.manifest("web.yaml", WEB).toString());
        try {
            SimCluster.await(() -> readyIps("web").size() == 3, "3 ready addresses in Endpoints web", 60);
            JsonNode subset = endpoints("web").path("subsets").path(0);
            Set<String> ports = new HashSet<>();
            subset.path("ports").forEach(p -> ports.add(p.path("name").asText() + "=" + p.path("port").asInt()));
            assertEquals(Set.of("http=8080", "admin=9001"), ports, "the named targetPort is the pod's container port");
            JsonNode address = subset.path("addresses").path(0);
            assertEquals("Pod", address.path("targetRef").path("kind").asText());
            assertTrue(address.path("nodeName").asText().startsWith("sim-"), address.toString());
            assertEquals("Service", endpoints("web").path("metadata").path("ownerReferences").path(0).path("kind").asText());

            SimCluster.await(() -> sliceEndpoints("web").size() == 3, "3 endpoints in web's slices", 30);
            ObjectNode slice = slices("web").get(0);
            assertEquals("endpointslice-controller.k8s.io", slice.path("metadata").path("labels")
                    .path("endpointslice.kubernetes.io/managed-by").asText());
            assertEquals("IPv4", slice.path("addressType").asText());
            assertEquals("{\"ready\":true,\"serving\":true,\"terminating\":false}", sliceEndpoints("web").get(0).path("conditions").toString());
            assertTrue(cluster.kubectl("get", "endpoints", "web").contains(":8080"));
            String sliceTable = cluster.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=web");
            assertTrue(sliceTable.lines().findFirst().orElseThrow().matches("NAME\\s+ADDRESSTYPE\\s+PORTS\\s+ENDPOINTS\\s+AGE"), sliceTable);
            assertTrue(sliceTable.contains("IPv4"), sliceTable);

            // nothing changed, nothing written
            String version = endpoints("web").path("metadata").path("resourceVersion").asText();
            String sliceVersion = slices("web").get(0).path("metadata").path("resourceVersion").asText();
            String pod = cluster.livePods("app=web").get(0).path("metadata").path("name").asText();
            cluster.kubectl("annotate", "pod", pod, "touched=yes");
            Thread.sleep(2000);
            assertEquals(version, endpoints("web").path("metadata").path("resourceVersion").asText(), "an unchanged Endpoints is not written");
            assertEquals(sliceVersion, slices("web").get(0).path("metadata").path("resourceVersion").asText());

            cluster.kubectl("scale", "deployment", "web", "--replicas=5");
            SimCluster.await(() -> readyIps("web").size() == 5 && sliceEndpoints("web").size() == 5, "5 endpoints", 60);
            cluster.kubectl("scale", "deployment", "web", "--replicas=1");
            SimCluster.await(() -> readyIps("web").size() == 1 && sliceEndpoints("web").size() == 1, "1 endpoint", 60);

            // a pod no kubelet runs: its status is the test's to write
            cluster.kubectl("apply", "-f", cluster.manifest("manual.yaml", """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: web-manual, labels: {app: web}}
                    spec:
                      nodeName: ghost
                      containers:
                      - name: web
                        image: nginx
                        ports: [{name: http, containerPort: 8081}]
                    """).toString());
            setReady("web-manual", false);
            SimCluster.await(() -> notReadyIps("web").contains("10.200.0.7"), "the not-ready pod in notReadyAddresses", 30);
            assertFalse(readyIps("web").contains("10.200.0.7"));
            SimCluster.await(() -> sliceEndpoint("web", "10.200.0.7") != null
                    && !sliceEndpoint("web", "10.200.0.7").path("conditions").path("ready").asBoolean(), "ready: false in the slice", 30);
            setReady("web-manual", true);
            SimCluster.await(() -> readyIps("web").contains("10.200.0.7"), "ready now", 30);
            JsonNode manualSubset = null;
            for (JsonNode s : endpoints("web").path("subsets")) {
                for (JsonNode a : s.path("addresses")) {
                    if (a.path("ip").asText().equals("10.200.0.7")) {
                        manualSubset = s;
                    }
                }
            }
            assertTrue(manualSubset.toString().contains("\"port\":8081"), "its own port for the named targetPort: " + manualSubset);

            // deleting it: terminating (the slice says so), gone from the Endpoints
            cluster.kubectl("delete", "pod", "web-manual", "--wait=false");
            SimCluster.await(() -> !readyIps("web").contains("10.200.0.7"), "a terminating pod leaves the Endpoints", 30);
            SimCluster.await(() -> sliceEndpoint("web", "10.200.0.7") != null
                    && sliceEndpoint("web", "10.200.0.7").path("conditions").path("terminating").asBoolean(), "terminating in the slice", 30);
            cluster.kubectl("delete", "pod", "web-manual", "--grace-period=0", "--force");
            SimCluster.await(() -> sliceEndpoint("web", "10.200.0.7") == null, "gone from the slice", 30);

            // kubectl expose: a NodePort Service for the Deployment, with its endpoints
            cluster.kubectl("expose", "deployment", "web", "--name", "web-exposed", "--port", "80", "--target-port", "8080", "--type", "NodePort");
            JsonNode exposed = service("web-exposed").path("spec");
            assertTrue(exposed.path("ports").path(0).path("nodePort").asInt() >= 30000, exposed.toString());
            SimCluster.await(() -> readyIps("web-exposed").size() == 1, "web-exposed has the pod", 30);
            assertTrue(cluster.kubectl("get", "svc", "web-exposed").contains("NodePort"));
        } finally {
            cluster.kubectl("delete", "-f", dir.resolve("web.yaml").toString(), "--ignore-not-found");
            cluster.kubectl("delete", "svc", "web-exposed", "--ignore-not-found");
            cluster.kubectl("delete", "pod", "web-manual", "--ignore-not-found", "--grace-period=0", "--force");
        }
        SimCluster.await(() -> slices("web").isEmpty() && endpointsGone("web"), "the garbage collector removes web's Endpoints and slices", 60);
    }

    private static boolean endpointsGone(String name) {
        try {
            return endpoints(name) == null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> notReadyIps(String name) {
        try {
            JsonNode endpoints = endpoints(name);
            List<String> ips = new ArrayList<>();
            if (endpoints != null) {
                endpoints.path("subsets").forEach(s -> s.path("notReadyAddresses").forEach(a -> ips.add(a.path("ip").asText())));
            }
            return ips;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode sliceEndpoint(String service, String ip) {
        for (JsonNode endpoint : sliceEndpoints(service)) {
            if (endpoint.path("addresses").path(0).asText().equals(ip)) {
                return endpoint;
            }
        }
        return null;
    }

    private static void setReady(String pod, boolean ready) {
        cluster.kubectl("patch", "pod", pod, "--subresource=status", "--type=merge", "-p", "{\"status\":{\"phase\":\"Running\","
                + "\"podIP\":\"10.200.0.7\",\"podIPs\":[{\"ip\":\"10.200.0.7\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":\""
                + (ready ? "True" : "False") + "\"}]}}");
    }

    @Test
    void headlessHostnamesAndMirroredEndpoints() throws Exception {
        cluster.kubectl("apply", "-f", cluster.manifest("headless.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: db}
                spec:
                  clusterIP: None
                  selector: {app: db}
                  ports: [{port: 5432}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: db-0, labels: {app: db}}
                spec:
                  hostname: db-0
                  subdomain: db
                  containers: [{name: db, image: postgres}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: outside}
                spec:
                  ports: [{port: 5432}]
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: outside}
                subsets:
                - addresses: [{ip: 192.0.2.10}]
                  notReadyAddresses: [{ip: 192.0.2.11}]
                  ports: [{port: 5432}]
                """).toString());
        try {
            SimCluster.await(() -> readyIps("db").size() == 1, "db-0 in db's Endpoints", 60);
            assertEquals("db-0", endpoints("db").path("subsets").path(0).path("addresses").path(0).path("hostname").asText());
            assertTrue(endpoints("db").path("metadata").path("labels").has("service.kubernetes.io/headless"));
            SimCluster.await(() -> sliceEndpoints("db").size() == 1, "db-0 in db's slice", 30);
            assertEquals("db-0", sliceEndpoints("db").get(0).path("hostname").asText());

            SimCluster.await(() -> sliceEndpoints("outside").size() == 2, "the user's Endpoints mirrored", 30);
            assertEquals("endpointslicemirroring-controller.k8s.io", slices("outside").get(0).path("metadata").path("labels")
                    .path("endpointslice.kubernetes.io/managed-by").asText());
            assertFalse(sliceEndpoint("outside", "192.0.2.11").path("conditions").path("ready").asBoolean());
            assertEquals(List.of("192.0.2.10"), readyIps("outside"), "a selector-less Service's Endpoints are the user's");
            assertFalse(endpoints("outside").path("metadata").has("ownerReferences"));
        } finally {
            cluster.kubectl("delete", "-f", dir.resolve("headless.yaml").toString(), "--ignore-not-found", "--grace-period=0", "--force");
        }
    }

    /** A copy of the distribution's bundle jar, to install again after an uninstall. */
    private static Path savedJar(String prefix) throws Exception {
        Path jar;
        try (var files = Files.list(cluster.distribution.home.resolve("bundles"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
        return Files.copy(jar, Files.createDirectories(dir.resolve("saved-" + prefix)).resolve(jar.getFileName()));
    }

    @Test
    void theLoadBalancerPoolLeavesAndComesBack() throws Exception {
        Path saved = savedJar("kubundle-lb-pool");
        String data = cluster.dir.resolve("data").toString();
        create("lb-1", serviceYaml("lb-1", "LoadBalancer", "  loadBalancerIP: 172.30.255.77\n", "  - {port: 80}\n"));
        try {
            SimCluster.await(() -> lbIp("lb-1").equals("172.30.255.77"), "lb-1 gets the address it asked for", 30);
            Distribution.Result removed = cluster.distribution.kubundle("bundles", "uninstall", "io.kubundle.lb.pool", "--data-dir", data);
            assertEquals(0, removed.exitCode(), removed.err());
            try {
                create("lb-2", serviceYaml("lb-2", "LoadBalancer", "", "  - {port: 80}\n"));
                Thread.sleep(3000);
                assertEquals("", lbIp("lb-2"), "no provider, no address");
                assertTrue(cluster.kubectl("get", "svc", "lb-2").contains("<pending>"));
                assertEquals("172.30.255.77", lbIp("lb-1"), "lb-1 keeps its address while no provider is there");
            } finally {
                Distribution.Result installed = cluster.distribution.kubundle("bundles", "install", saved.toString(), "--data-dir", data);
                assertEquals(0, installed.exitCode(), installed.err());
            }
            SimCluster.await(() -> lbIp("lb-2").startsWith("172.30.255."), "lb-2 gets an address once the pool is back", 30);
            assertNotEquals(lbIp("lb-1"), lbIp("lb-2"));
            assertEquals("172.30.255.77", lbIp("lb-1"));

            // back to ClusterIP: the address goes from its status
            cluster.kubectl("patch", "svc", "lb-2", "--type=merge", "-p", "{\"spec\":{\"type\":\"ClusterIP\"}}");
            SimCluster.await(() -> lbIp("lb-2").isEmpty(), "lb-2 has no load balancer address as a ClusterIP", 30);
        } finally {
            cluster.kubectl("delete", "svc", "lb-1", "lb-2", "--ignore-not-found");
        }
    }

    @Test
    void theKubernetesServiceNamesTheApiServer() throws Exception {
        int apiPort = java.net.URI.create(cluster.kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")).getPort();
        try {
            SimCluster.await(() -> lbIpless("kubernetes"), "the kubernetes Service exists", 30);
        } catch (AssertionError e) {
            List<String> output = cluster.up.output();
            throw new AssertionError(e.getMessage() + "; services:\n" + cluster.kubectl("get", "svc,ep", "-A") + "master output:\n"
                    + String.join("\n", output.subList(Math.max(0, output.size() - 60), output.size())), e);
        }
        JsonNode spec = service("kubernetes").path("spec");
        assertEquals("10.96.0.1", spec.path("clusterIP").asText());
        assertEquals(443, spec.path("ports").path(0).path("port").asInt());
        assertEquals("https", spec.path("ports").path(0).path("name").asText());
        SimCluster.await(() -> endpointPort("kubernetes") == apiPort, "the kubernetes Endpoints name the API server's port " + apiPort, 30);
        SimCluster.await(() -> sliceEndpoints("kubernetes").size() == 1, "mirrored into a slice", 30);

        cluster.kubectl("delete", "svc", "kubernetes");
        SimCluster.await(() -> lbIpless("kubernetes"), "the kubernetes Service made again", 30);
        SimCluster.await(() -> clusterIp("kubernetes").equals("10.96.0.1"), "with 10.96.0.1 again", 30);
    }

    private static boolean lbIpless(String name) {
        try {
            return services().find("default", name).isPresent();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String clusterIp(String name) {
        try {
            return services().find("default", name).map(s -> s.path("spec").path("clusterIP").asText()).orElse("");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int endpointPort(String name) {
        try {
            JsonNode endpoints = endpoints(name);
            return endpoints == null ? -1 : endpoints.path("subsets").path(0).path("ports").path(0).path("port").asInt(-1);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void servicesMadeWhileTheBundleIsAwayGetTheirAllocationsWhenItIsBack() throws Exception {
        Path saved = savedJar("kubundle-controller-service");
        String data = cluster.dir.resolve("data").toString();
        assertEquals(0, create("away-1", serviceYaml("away-1", "NodePort", "", "  - {port: 80}\n")).exitCode());
        String before = clusterIp("away-1");
        Distribution.Result removed = cluster.distribution.kubundle("bundles", "uninstall", "io.kubundle.controller.service", "--data-dir", data);
        assertEquals(0, removed.exitCode(), removed.err());
        try {
            Distribution.Result made = create("away-2", serviceYaml("away-2", "NodePort", "", "  - {port: 80}\n"));
            assertEquals(0, made.exitCode(), made.err());
            assertEquals("", clusterIp("away-2"), "no allocation hook, no address");
        } finally {
            Distribution.Result installed = cluster.distribution.kubundle("bundles", "install", saved.toString(), "--data-dir", data);
            assertEquals(0, installed.exitCode(), installed.err());
        }
        try {
            SimCluster.await(() -> !clusterIp("away-2").isEmpty(), "away-2 gets its address once the bundle is back", 60);
            JsonNode spec = service("away-2").path("spec");
            assertNotEquals(before, spec.path("clusterIP").asText());
            assertTrue(spec.path("ports").path(0).path("nodePort").asInt() >= 30000, spec.toString());
            assertNotEquals(service("away-1").path("spec").path("ports").path(0).path("nodePort").asInt(),
                    spec.path("ports").path(0).path("nodePort").asInt());
            assertEquals(before, clusterIp("away-1"), "away-1 keeps its address across the reinstall");
        } finally {
            cluster.kubectl("delete", "svc", "away-1", "away-2", "--ignore-not-found");
        }
    }

    @Test
    void theFabric8ClientSeesServicesEndpointsAndRefusals() throws Exception {
        Path kubeconfig = cluster.dir.resolve("data").resolve("kubeconfig");
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
            Service made = client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("f8")
                    .endMetadata().withNewSpec().withType("NodePort").withSelector(java.util.Map.of("app", "f8"))
                    .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec().build()).create();
            try {
                assertTrue(inServiceRange(made.getSpec().getClusterIP()), made.getSpec().getClusterIP());
                int nodePort = made.getSpec().getPorts().get(0).getNodePort();
                assertTrue(nodePort >= 30000 && nodePort <= 32767);
                client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("f8-pod")
                        .withLabels(java.util.Map.of("app", "f8")).endMetadata().withNewSpec().addNewContainer().withName("c")
                        .withImage("nginx").endContainer().endSpec().build()).create();
                SimCluster.await(() -> {
                    Endpoints endpoints = client.endpoints().inNamespace("default").withName("f8").get();
                    return endpoints != null && endpoints.getSubsets().size() == 1 && endpoints.getSubsets().get(0).getAddresses().size() == 1
                            && endpoints.getSubsets().get(0).getPorts().get(0).getPort() == 8080;
                }, "f8's Endpoints through fabric8", 60);
                SimCluster.await(() -> client.discovery().v1().endpointSlices().inNamespace("default")
                        .withLabel("kubernetes.io/service-name", "f8").list().getItems().stream()
                        .mapToInt(slice -> slice.getEndpoints().size()).sum() == 1, "f8's slice through fabric8", 30);
                try {
                    client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("f8-copy").endMetadata()
                            .withNewSpec().withType("NodePort").addNewPort().withPort(80).withNodePort(nodePort).endPort().endSpec().build())
                            .create();
                    throw new AssertionError("two Services on node port " + nodePort);
                } catch (KubernetesClientException e) {
                    assertEquals(422, e.getCode());
                    assertEquals("spec.ports[0].nodePort", e.getStatus().getDetails().getCauses().get(0).getField());
                }
            } finally {
                client.pods().inNamespace("default").withName("f8-pod").withGracePeriod(0).delete();
                client.services().inNamespace("default").withName("f8").delete();
            }
        }
    }
}
