package io.kubundle.itests.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** The fabric8 Java client against {@code kubundle up}: CRUD, selectors and paging, watch, informers, conflicts. */
class Fabric8IT {
    @TempDir
    static Path dir;

    static KubundleProcess up;
    static KubernetesClient client;

    @BeforeAll
    static void startUp() throws Exception {
        Distribution distribution = Distribution.copyInto(dir);
        Path data = dir.resolve("data");
        up = KubundleProcess.start(distribution, data, "master", "--port", Integer.toString(RolesIT.freePort()));
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(data.resolve("kubeconfig")))).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (up != null) {
            up.close();
        }
    }

    private static ConfigMap configMap(String namespace, String name, Map<String, String> labels) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withData(Map.of("count", "0")).build();
    }

    @Test
    void createGetUpdateDeleteForEveryKindOfTheModel() {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("crud").endMetadata().build()).create();
        List<HasMetadata> objects = List.of(
                configMap("crud", "cm", Map.of()),
                new SecretBuilder().withNewMetadata().withName("s").withNamespace("crud").endMetadata()
                        .withStringData(Map.of("password", "x")).build(),
                new ServiceBuilder().withNewMetadata().withName("svc").withNamespace("crud").endMetadata()
                        .withNewSpec().withSelector(Map.of("app", "a")).addNewPort().withPort(80).endPort().endSpec().build(),
                // a scheduler name nobody serves: the scheduler (finding no node) would update the pod's status meanwhile
                new PodBuilder().withNewMetadata().withName("p").withNamespace("crud").endMetadata()
                        .withNewSpec().withSchedulerName("none").addNewContainer().withName("c").withImage("busybox").endContainer()
                        .endSpec().build(),
                new DeploymentBuilder().withNewMetadata().withName("d").withNamespace("crud").endMetadata()
                        .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "d")).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "d")).endMetadata()
                        .withNewSpec().addNewContainer().withName("c").withImage("nginx:1.7.9").endContainer().endSpec()
                        .endTemplate().endSpec().build(),
                new JobBuilder().withNewMetadata().withName("j").withNamespace("crud").endMetadata()
                        .withNewSpec().withNewTemplate().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("c")
                        .withImage("busybox").endContainer().endSpec().endTemplate().endSpec().build(),
                new LeaseBuilder().withNewMetadata().withName("l").withNamespace("crud").endMetadata()
                        .withNewSpec().withHolderIdentity("me").endSpec().build(),
                new io.fabric8.kubernetes.api.model.EndpointsBuilder().withNewMetadata().withName("ep").withNamespace("crud").endMetadata()
                        .addNewSubset().addNewAddress().withIp("10.0.0.1").endAddress().addNewPort().withPort(80).endPort().endSubset().build(),
                new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("crud-node").endMetadata().build(),
                new io.fabric8.kubernetes.api.model.EventBuilder().withNewMetadata().withName("ev").withNamespace("crud").endMetadata()
                        .withNewInvolvedObject().withKind("Pod").withName("p").withNamespace("crud").endInvolvedObject()
                        .withReason("Tested").withMessage("by Fabric8IT").withType("Normal").build(),
                new io.fabric8.kubernetes.api.model.ServiceAccountBuilder().withNewMetadata().withName("sa").withNamespace("crud")
                        .endMetadata().build(),
                new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder().withNewMetadata().withName("crud-pv").endMetadata()
                        .withNewSpec().withCapacity(Map.of("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")))
                        .withAccessModes("ReadWriteOnce").withNewHostPath().withPath("/tmp/crud-pv").endHostPath().endSpec().build(),
                new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata().withName("pvc").withNamespace("crud")
                        .endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                        .withRequests(Map.of("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))).endResources().endSpec().build(),
                new io.fabric8.kubernetes.api.model.LimitRangeBuilder().withNewMetadata().withName("lr").withNamespace("crud").endMetadata()
                        .withNewSpec().addNewLimit().withType("Container")
                        .withDefault(Map.of("cpu", new io.fabric8.kubernetes.api.model.Quantity("500m"))).endLimit().endSpec().build(),
                new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder().withNewMetadata().withName("rq").withNamespace("crud").endMetadata()
                        .withNewSpec().withHard(Map.of("pods", new io.fabric8.kubernetes.api.model.Quantity("10"))).endSpec().build(),
                new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder().withNewMetadata().withName("rs").withNamespace("crud")
                        .endMetadata().withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(Map.of("app", "rs")).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "rs")).endMetadata().withNewSpec().addNewContainer()
                        .withName("c").withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build(),
                new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder().withNewMetadata().withName("ds").withNamespace("crud")
                        .endMetadata().withNewSpec().withNewSelector().withMatchLabels(Map.of("app", "ds")).endSelector()
                        .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "ds")).endMetadata().withNewSpec().addNewContainer()
                        .withName("c").withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build(),
                new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withNewMetadata().withName("sts").withNamespace("crud")
                        .endMetadata().withNewSpec().withReplicas(0).withServiceName("svc").withNewSelector()
                        .withMatchLabels(Map.of("app", "sts")).endSelector().withNewTemplate().withNewMetadata()
                        .withLabels(Map.of("app", "sts")).endMetadata().withNewSpec().addNewContainer().withName("c").withImage("nginx")
                        .endContainer().endSpec().endTemplate().endSpec().build(),
                new io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder().withNewMetadata().withName("rev").withNamespace("crud")
                        .endMetadata().withRevision(1L).build(),
                new io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder().withNewMetadata().withName("cj").withNamespace("crud")
                        .endMetadata().withNewSpec().withSchedule("*/5 * * * *").withSuspend(true).withNewJobTemplate().withNewSpec()
                        .withNewTemplate().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("c").withImage("busybox")
                        .endContainer().endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build(),
                new io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder().withNewMetadata().withName("slice")
                        .withNamespace("crud").endMetadata().withAddressType("IPv4").addNewEndpoint().withAddresses("10.0.0.2").endEndpoint()
                        .build(),
                new io.fabric8.kubernetes.api.model.events.v1.EventBuilder().withNewMetadata().withName("ev2").withNamespace("crud")
                        .endMetadata().withEventTime(new io.fabric8.kubernetes.api.model.MicroTime("2026-01-01T00:00:00.000000Z"))
                        .withReportingController("fabric8it").withReportingInstance("it").withAction("Test").withReason("Tested")
                        .withType("Normal").withNewRegarding().withKind("Pod").withName("p").withNamespace("crud").endRegarding().build(),
                new io.fabric8.kubernetes.api.model.storage.StorageClassBuilder().withNewMetadata().withName("crud-sc").endMetadata()
                        .withProvisioner("kubundle.io/local").build(),
                new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder().withNewMetadata().withName("pdb")
                        .withNamespace("crud").endMetadata().withNewSpec().withMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(1))
                        .withNewSelector().withMatchLabels(Map.of("app", "x")).endSelector().endSpec().build(),
                new io.fabric8.kubernetes.api.model.rbac.RoleBuilder().withNewMetadata().withName("role").withNamespace("crud").endMetadata()
                        .addNewRule().withApiGroups("").withResources("pods").withVerbs("get").endRule().build(),
                new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder().withNewMetadata().withName("rb").withNamespace("crud")
                        .endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName("role")
                        .endRoleRef().addNewSubject().withKind("ServiceAccount").withName("sa").withNamespace("crud").endSubject().build(),
                new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder().withNewMetadata().withName("crud-cr").endMetadata()
                        .addNewRule().withApiGroups("").withResources("nodes").withVerbs("list").endRule().build(),
                new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder().withNewMetadata().withName("crud-crb").endMetadata()
                        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("crud-cr").endRoleRef()
                        .addNewSubject().withKind("User").withName("someone").endSubject().build());
        for (HasMetadata object : objects) {
            String kind = object.getKind();
            HasMetadata created = client.resource(object).create();
            assertNotNull(created.getMetadata().getUid(), kind);
            assertNotNull(created.getMetadata().getResourceVersion(), kind);
            // controllers may write the object too (a node's pod CIDR): read, change and update, again on a conflict
            HasMetadata updated = null;
            for (int attempt = 0; updated == null; attempt++) {
                HasMetadata read = client.resource(object).get();
                assertEquals(created.getMetadata().getUid(), read.getMetadata().getUid(), kind);
                read.getMetadata().setLabels(Map.of("updated", "yes"));
                try {
                    updated = client.resource(read).update();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 409 || attempt == 3) {
                        throw e;
                    }
                }
            }
            assertEquals("yes", updated.getMetadata().getLabels().get("updated"), kind);
            assertTrue(Long.parseLong(updated.getMetadata().getResourceVersion()) > Long.parseLong(created.getMetadata().getResourceVersion()), kind);
            // by name, not by a version read: a controller (node IPAM) may have written the object since
            updated.getMetadata().setResourceVersion(null);
            client.resource(updated).delete();
            assertNull(client.resource(object).get(), kind + " still there after delete");
        }
    }

    @Test
    void listWithSelectorsAndPages() {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("paging").endMetadata().build()).create();
        for (int i = 0; i < 25; i++) {
            client.resource(configMap("paging", String.format("cm-%02d", i), Map.of("parity", i % 2 == 0 ? "even" : "odd"))).create();
        }
        assertEquals(13, client.configMaps().inNamespace("paging").withLabel("parity", "even").list().getItems().size());
        assertEquals(12, client.configMaps().inNamespace("paging").withLabelIn("parity", "odd").list().getItems().size());
        List<String> names = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            ConfigMapList page = client.configMaps().inNamespace("paging")
                    .list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(10L).withContinue(next).build());
            page.getItems().forEach(cm -> names.add(cm.getMetadata().getName()));
            next = page.getMetadata().getContinue();
            pages++;
        } while (next != null && !next.isEmpty());
        assertEquals(3, pages);
        assertEquals(25, names.size());
        assertEquals(names.stream().sorted().toList(), names, "pages come in name order, without repeats");
        assertEquals(1, client.configMaps().inNamespace("paging").withField("metadata.name", "cm-07").list().getItems().size());
    }

    @Test
    void watchAndInformerSeeEveryChange() throws Exception {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("watching").endMetadata().build()).create();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        BlockingQueue<String> informed = new LinkedBlockingQueue<>();
        try (Watch watch = client.configMaps().inNamespace("watching").watch(new Watcher<ConfigMap>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                events.add(action + " " + resource.getMetadata().getName());
            }

            @Override
            public void onClose(WatcherException cause) {
                events.add("CLOSED");
            }
        })) {
            SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace("watching").inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(ConfigMap obj) {
                    informed.add("add " + obj.getMetadata().getName());
                }

                @Override
                public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
                    if (!oldObj.getMetadata().getResourceVersion().equals(newObj.getMetadata().getResourceVersion())) {
                        informed.add("update " + newObj.getMetadata().getName() + " " + newObj.getData().get("count"));
                    }
                }

                @Override
                public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
                    informed.add("delete " + obj.getMetadata().getName());
                }
            });
            try {
                informer.run();
                client.resource(configMap("watching", "w", Map.of())).create();
                client.configMaps().inNamespace("watching").withName("w").edit(cm -> {
                    cm.getData().put("count", "1");
                    return cm;
                });
                client.configMaps().inNamespace("watching").withName("w").delete();
                assertEquals("ADDED w", events.poll(20, TimeUnit.SECONDS));
                assertEquals("MODIFIED w", events.poll(20, TimeUnit.SECONDS));
                assertEquals("DELETED w", events.poll(20, TimeUnit.SECONDS));
                assertEquals("add w", informed.poll(20, TimeUnit.SECONDS));
                assertEquals("update w 1", informed.poll(20, TimeUnit.SECONDS));
                assertEquals("delete w", informed.poll(20, TimeUnit.SECONDS));
                assertTrue(informer.getStore().list().isEmpty());
            } finally {
                informer.close();
            }
        }
    }

    @Test
    void concurrentWritersWithRetryOnConflictLoseNoUpdate() throws Exception {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("counting").endMetadata().build()).create();
        client.resource(configMap("counting", "counter", Map.of())).create();
        int writers = 8;
        int increments = 20;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Integer>> conflicts = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            conflicts.add(pool.submit(() -> {
                int seen = 0;
                for (int i = 0; i < increments; i++) {
                    while (true) {
                        ConfigMap current = client.configMaps().inNamespace("counting").withName("counter").get();
                        int count = Integer.parseInt(current.getData().get("count"));
                        current.getData().put("count", Integer.toString(count + 1));
                        try {
                            client.resource(current).update();
                            break;
                        } catch (KubernetesClientException e) {
                            if (e.getCode() != 409) {
                                throw e;
                            }
                            seen++;
                        }
                    }
                }
                return seen;
            }));
        }
        int totalConflicts = 0;
        for (Future<Integer> f : conflicts) {
            totalConflicts += f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(Integer.toString(writers * increments),
                client.configMaps().inNamespace("counting").withName("counter").get().getData().get("count"));
        assertTrue(totalConflicts > 0, "the writers did collide, so the 409 path was exercised");
    }

    @Test
    void bindingGracefulDeletionAndEviction() {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("pods").endMetadata().build()).create();
        for (String name : List.of("bound", "loose")) {
            client.resource(new PodBuilder().withNewMetadata().withName(name).withNamespace("pods").endMetadata()
                    .withNewSpec().withSchedulerName("none").addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build()).create();
        }
        assertEquals("Pending", client.pods().inNamespace("pods").withName("bound").get().getStatus().getPhase());

        client.bindings().inNamespace("pods").resource(new io.fabric8.kubernetes.api.model.BindingBuilder()
                .withNewMetadata().withName("bound").endMetadata()
                .withNewTarget().withKind("Node").withName("node-1").endTarget().build()).create();
        assertEquals("node-1", client.pods().inNamespace("pods").withName("bound").get().getSpec().getNodeName());
        KubernetesClientException twice = org.junit.jupiter.api.Assertions.assertThrows(KubernetesClientException.class,
                () -> client.bindings().inNamespace("pods").resource(new io.fabric8.kubernetes.api.model.BindingBuilder()
                        .withNewMetadata().withName("bound").endMetadata()
                        .withNewTarget().withKind("Node").withName("node-2").endTarget().build()).create());
        assertEquals(409, twice.getCode());

        // a pod on a node is only marked: its kubelet stops it within the grace period
        client.pods().inNamespace("pods").withName("bound").withGracePeriod(30).delete();
        io.fabric8.kubernetes.api.model.Pod marked = client.pods().inNamespace("pods").withName("bound").get();
        assertNotNull(marked.getMetadata().getDeletionTimestamp());
        assertEquals(30L, marked.getMetadata().getDeletionGracePeriodSeconds());
        client.pods().inNamespace("pods").withName("bound").withGracePeriod(0).delete();
        assertNull(client.pods().inNamespace("pods").withName("bound").get());

        assertTrue(client.pods().inNamespace("pods").withName("loose").evict());
        assertNull(client.pods().inNamespace("pods").withName("loose").get());
    }

    @Test
    void evictionRespectsTheDisruptionBudget() {
        client.resource(new NamespaceBuilder().withNewMetadata().withName("budget").endMetadata().build()).create();
        for (String name : List.of("web-0", "web-1")) {
            client.resource(new PodBuilder().withNewMetadata().withName(name).withNamespace("budget").withLabels(Map.of("app", "web"))
                    .endMetadata().withNewSpec().withSchedulerName("none").addNewContainer().withName("c").withImage("nginx").endContainer()
                    .endSpec().build()).create();
            // what a kubelet reports for a running, ready pod
            client.pods().inNamespace("budget").withName(name).editStatus(pod -> new PodBuilder(pod).editOrNewStatus().withPhase("Running")
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build());
        }
        client.resource(new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder().withNewMetadata().withName("web-pdb")
                .withNamespace("budget").endMetadata().withNewSpec().withMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(2))
                .withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector().endSpec().build()).create();

        // fabric8 answers false for the 429 the budget causes (without retrying it, as drain would)
        KubernetesClient noRetry = new KubernetesClientBuilder()
                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).build()).build();
        assertEquals(false, noRetry.pods().inNamespace("budget").withName("web-0").evict());
        assertNotNull(client.pods().inNamespace("budget").withName("web-0").get(), "the refused eviction deleted nothing");

        client.policy().v1().podDisruptionBudget().inNamespace("budget").withName("web-pdb")
                .edit(pdb -> new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder(pdb).editSpec()
                        .withMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(1)).endSpec().build());
        assertTrue(client.pods().inNamespace("budget").withName("web-0").evict());
        assertNull(client.pods().inNamespace("budget").withName("web-0").get());
        assertEquals(false, noRetry.pods().inNamespace("budget").withName("web-1").evict(), "now the last healthy pod is protected");
        noRetry.close();
    }

    private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";

    /** The envelope of a protobuf body: the magic "k8s\0", then a runtime.Unknown of the expected kind. */
    private static Runtime.Unknown envelope(byte[] body, String kind) throws Exception {
        assertEquals("k8s\0", new String(body, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        Runtime.Unknown unknown = Runtime.Unknown.parseFrom(Arrays.copyOfRange(body, 4, body.length));
        assertEquals(kind, unknown.getTypeMeta().getKind());
        return unknown;
    }

    @Test
    void protobufAnswersDecodeWithTheGeneratedClasses() throws Exception {
        // what client-go asks for built-in types: protobuf first, JSON as well
        Config config = client.getConfiguration();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(SSLUtils.sslContext(config)).build();
        String base = config.getMasterUrl().replaceAll("/$", "") + "/api/v1/namespaces/default/configmaps";
        java.util.function.Function<String, HttpRequest> get = path -> HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", PROTOBUF + ",application/json").build();
        client.resource(configMap("default", "proto-answer", Map.of("app", "proto"))).create();

        HttpResponse<byte[]> one = http.send(get.apply("/proto-answer"), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, one.statusCode());
        assertEquals(PROTOBUF, one.headers().firstValue("Content-Type").orElse(""));
        V1.ConfigMap map = V1.ConfigMap.parseFrom(envelope(one.body(), "ConfigMap").getRaw());
        assertEquals("proto", map.getMetadata().getLabelsOrThrow("app"));
        assertEquals("0", map.getDataOrThrow("count"));

        HttpResponse<byte[]> list = http.send(get.apply("?labelSelector=app%3Dproto"), HttpResponse.BodyHandlers.ofByteArray());
        V1.ConfigMapList maps = V1.ConfigMapList.parseFrom(envelope(list.body(), "ConfigMapList").getRaw());
        assertEquals(1, maps.getItemsCount());
        assertEquals("proto-answer", maps.getItems(0).getMetadata().getName());

        HttpResponse<byte[]> missing = http.send(get.apply("/no-such-map"), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(404, missing.statusCode());
        Meta.Status status = Meta.Status.parseFrom(envelope(missing.body(), "Status").getRaw());
        assertEquals("NotFound", status.getReason());
        assertEquals(404, status.getCode());

        // a watch: length-prefixed WatchEvent frames, each object in its own envelope
        String from = maps.getMetadata().getResourceVersion();
        HttpResponse<InputStream> watch = http.send(get.apply("?watch=true&timeoutSeconds=20&labelSelector=app%3Dproto&resourceVersion="
                + from), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(PROTOBUF + ";stream=watch", watch.headers().firstValue("Content-Type").orElse(""));
        client.configMaps().inNamespace("default").withName("proto-answer")
                .edit(c -> new ConfigMapBuilder(c).addToData("count", "1").build());
        try (DataInputStream frames = new DataInputStream(watch.body())) {
            byte[] frame = new byte[frames.readInt()];
            frames.readFully(frame);
            Meta.WatchEvent event = Meta.WatchEvent.parseFrom(frame);
            assertEquals("MODIFIED", event.getType());
            V1.ConfigMap changed = V1.ConfigMap.parseFrom(envelope(event.getObject().getRaw().toByteArray(), "ConfigMap").getRaw());
            assertEquals("1", changed.getDataOrThrow("count"));
        }
    }
}
