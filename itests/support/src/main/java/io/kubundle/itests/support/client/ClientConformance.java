package io.kubundle.itests.support.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.client.kube.ObjectList;
import io.kubundle.client.kube.PatchType;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;
import io.kubundle.client.kube.WatchEvent;
import io.kubundle.client.kube.WatchHandler;

/**
 * What the client must do against a running API server, over any transport: the subclass says
 * which one by {@link #client()}. Every test works in a namespace of its own.
 */
public abstract class ClientConformance {
    public static final ResourceKind<ObjectNode> CONFIG_MAPS = ResourceKind.of("v1", "ConfigMap", "configmaps", true, ObjectNode.class);
    public static final ResourceKind<ObjectNode> NAMESPACES = ResourceKind.of("v1", "Namespace", "namespaces", false, ObjectNode.class);

    /** The client under test. */
    protected abstract KubeClient client();

    /** Stops the API server and starts it again (same data, same address). */
    protected abstract void restartServer() throws Exception;

    /** A fresh namespace for one test. */
    protected String namespace() throws Exception {
        String name = "client-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectNode namespace = client().json().createObjectNode();
        namespace.putObject("metadata").put("name", name);
        client().resources(NAMESPACES).create(namespace);
        return name;
    }

    protected ObjectNode configMap(String namespace, String name, String value) {
        ObjectNode map = client().json().createObjectNode();
        ObjectNode metadata = map.putObject("metadata").put("name", name).put("namespace", namespace);
        metadata.putObject("labels").put("app", "conformance");
        map.putObject("data").put("value", value);
        return map;
    }

    @Test
    void createGetUpdatePatchDelete() throws Exception {
        String ns = namespace();
        ResourceClient<ObjectNode> maps = client().resources(CONFIG_MAPS);
        ObjectNode created = maps.create(configMap(ns, "one", "a"));
        assertEquals("ConfigMap", created.path("kind").asText());
        assertFalse(created.path("metadata").path("uid").asText().isEmpty(), "the server gives a uid");

        ApiStatusException exists = assertThrows(ApiStatusException.class, () -> maps.create(configMap(ns, "one", "b")));
        assertTrue(exists.isAlreadyExists(), exists.getMessage());

        ObjectNode read = maps.get(ns, "one");
        assertEquals("a", read.path("data").path("value").asText());

        ObjectNode changed = read.deepCopy();
        ((ObjectNode) changed.path("data")).put("value", "b");
        ObjectNode updated = maps.update(changed);
        assertNotEquals(read.path("metadata").path("resourceVersion").asText(), updated.path("metadata").path("resourceVersion").asText());

        // the copy read before the update is stale now
        ((ObjectNode) read.path("data")).put("value", "c");
        ApiStatusException conflict = assertThrows(ApiStatusException.class, () -> maps.update(read));
        assertTrue(conflict.isConflict(), conflict.getMessage());
        assertEquals(409, conflict.code());

        ObjectNode patched = maps.patch(ns, "one", PatchType.MERGE, "{\"data\":{\"extra\":\"x\"}}");
        assertEquals("b", patched.path("data").path("value").asText());
        assertEquals("x", patched.path("data").path("extra").asText());

        assertTrue(maps.delete(ns, "one"));
        assertTrue(maps.find(ns, "one").isEmpty());
        ApiStatusException missing = assertThrows(ApiStatusException.class, () -> maps.get(ns, "one"));
        assertTrue(missing.isNotFound());
        assertFalse(maps.delete(ns, "one"), "a second delete finds nothing");
    }

    @Test
    void invalidObjectsAreRefusedWithTheirCauses() throws Exception {
        String ns = namespace();
        ObjectNode bad = configMap(ns, "Not_A_Valid_Name", "a");
        ApiStatusException invalid = assertThrows(ApiStatusException.class, () -> client().resources(CONFIG_MAPS).create(bad));
        assertEquals(422, invalid.code());
        assertEquals("Invalid", invalid.reason());
        assertEquals("metadata.name", invalid.status().path("details").path("causes").path(0).path("field").asText());
    }

    @Test
    void listsWithSelectorsAndPages() throws Exception {
        String ns = namespace();
        ResourceClient<ObjectNode> maps = client().resources(CONFIG_MAPS);
        for (int i = 0; i < 5; i++) {
            ObjectNode map = configMap(ns, "page-" + i, Integer.toString(i));
            ((ObjectNode) map.path("metadata").path("labels")).put("parity", i % 2 == 0 ? "even" : "odd");
            maps.create(map);
        }
        ObjectList<ObjectNode> firstPage = maps.list(ns, ListOptions.ALL.withLimit(2));
        assertEquals(2, firstPage.items().size());
        assertTrue(firstPage.continueToken() != null, "more pages follow");

        ObjectList<ObjectNode> all = maps.listAll(ns, ListOptions.ALL, 2);
        assertEquals(List.of("page-0", "page-1", "page-2", "page-3", "page-4"), names(all.items()));

        assertEquals(List.of("page-0", "page-2", "page-4"), names(maps.list(ns, ListOptions.labels("parity=even")).items()));
        assertEquals(List.of("page-3"), names(maps.list(ns, ListOptions.fields("metadata.name=page-3")).items()));
    }

    @Test
    void watchDeliversChangesInOrderFromARevision() throws Exception {
        String ns = namespace();
        ResourceClient<ObjectNode> maps = client().resources(CONFIG_MAPS);
        maps.create(configMap(ns, "before", "0"));
        String from = maps.list(ns, ListOptions.ALL).resourceVersion();
        LinkedBlockingQueue<WatchEvent<ObjectNode>> events = new LinkedBlockingQueue<>();
        try (ResourceClient.Watch watch = maps.watch(ns, ListOptions.ALL.withResourceVersion(from), 0, collect(events))) {
            maps.create(configMap(ns, "w", "1"));
            maps.patch(ns, "w", PatchType.MERGE, "{\"data\":{\"value\":\"2\"}}");
            maps.delete(ns, "w");
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                WatchEvent<ObjectNode> event = nextChange(events);
                seen.add(event.type() + " " + event.name() + " " + event.object().path("data").path("value").asText());
            }
            assertEquals(List.of("ADDED w 1", "MODIFIED w 2", "DELETED w 2"), seen);
        }
    }

    @Test
    void watchFromNothingStartsWithTheCurrentObjects() throws Exception {
        String ns = namespace();
        ResourceClient<ObjectNode> maps = client().resources(CONFIG_MAPS);
        maps.create(configMap(ns, "present", "0"));
        LinkedBlockingQueue<WatchEvent<ObjectNode>> events = new LinkedBlockingQueue<>();
        try (ResourceClient.Watch watch = maps.watch(ns, ListOptions.ALL, 0, collect(events))) {
            WatchEvent<ObjectNode> first = nextChange(events);
            assertEquals("ADDED", first.type());
            assertEquals(ns + "/present", first.key());
        }
    }

    @Test
    void informerKeepsACurrentCacheAndTellsItsHandlers() throws Exception {
        String ns = namespace();
        ResourceClient<ObjectNode> maps = client().resources(CONFIG_MAPS);
        maps.create(configMap(ns, "early", "0"));
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        try (Informer<ObjectNode> informer = new Informer<>(maps, ns, ListOptions.ALL, Duration.ZERO)) {
            informer.addIndex("value", map -> List.of(map.path("data").path("value").asText()));
            informer.addHandler(recorder(heard));
            informer.start();
            assertTrue(informer.awaitSynced(Duration.ofSeconds(10)), "the first list arrives");
            assertEquals(List.of("add early"), heard);

            maps.create(configMap(ns, "late", "1"));
            maps.patch(ns, "late", PatchType.MERGE, "{\"data\":{\"value\":\"2\"}}");
            maps.delete(ns, "early");
            await(() -> heard.size() == 4, "three more changes reach the handler: " + heard);
            assertEquals(List.of("add early", "add late", "update late 1->2", "delete early"), heard);
            assertEquals(Set.of(ns + "/late"), informer.keys());
            assertEquals("2", informer.get(ns, "late").orElseThrow().path("data").path("value").asText());
            assertEquals(List.of("late"), names(informer.byIndex("value", "2")));
            assertTrue(informer.byIndex("value", "1").isEmpty(), "the old value is no longer indexed");

            // a handler that joins late hears of every object first
            List<String> late = Collections.synchronizedList(new ArrayList<>());
            informer.addHandler(recorder(late));
            await(() -> late.size() == 1, "the late handler hears of the object there is");
            assertEquals(List.of("add late"), late);
            assertEquals(1, informer.listCount(), "no relist was needed");

            // the cache leaves out managedFields; an update from a cached copy keeps the live ones
            assertFalse(maps.get(ns, "late").path("metadata").path("managedFields").isEmpty(), "the server keeps managedFields");
            ObjectNode cached = informer.get(ns, "late").orElseThrow();
            assertTrue(cached.path("metadata").path("managedFields").isMissingNode(), cached.toString());
            ObjectNode changed = cached.deepCopy();
            changed.with("data").put("value", "3");
            maps.update(changed);
            assertFalse(maps.get(ns, "late").path("metadata").path("managedFields").isEmpty(), "an update without them keeps them");
        }
    }

    @Test
    void informerResyncRepeatsEveryObject() throws Exception {
        String ns = namespace();
        ResourceClient<ObjectNode> maps = client().resources(CONFIG_MAPS);
        maps.create(configMap(ns, "steady", "0"));
        Set<String> resynced = ConcurrentHashMap.newKeySet();
        try (Informer<ObjectNode> informer = new Informer<>(maps, ns, ListOptions.ALL, Duration.ofMillis(200))) {
            informer.addHandler(new ResourceHandler<>() {
                @Override
                public void onUpdate(ObjectNode oldObject, ObjectNode newObject) {
                    if (oldObject == newObject) {
                        resynced.add(newObject.path("metadata").path("name").asText());
                    }
                }
            });
            informer.start();
            await(() -> resynced.contains("steady"), "a resync repeats the unchanged object");
        }
    }

    /** More writes than the API server's watch cache keeps per type (its ring, 1000 changes by default). */
    private static final int MORE_THAN_THE_RING = 1100;

    /**
     * The informer resumes from its revision after the restart, even when more writes than the
     * restarted server's watch cache holds came between that revision and the restart: the server
     * replays them from the store's history (not compacted), where Kubernetes would answer 410
     * and make it list again. Nothing is lost: every change of its namespace reaches it once.
     */
    @Test
    void informerResumesAfterTheServerRestarts() throws Exception {
        String ns = namespace();
        String elsewhere = namespace();
        ResourceClient<ObjectNode> maps = client().resources(CONFIG_MAPS);
        maps.create(configMap(ns, "before", "0"));
        maps.create(configMap(elsewhere, "busy", "0"));
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        try (Informer<ObjectNode> informer = new Informer<>(maps, ns, ListOptions.ALL, Duration.ZERO)) {
            informer.addHandler(recorder(heard));
            informer.start();
            assertTrue(informer.awaitSynced(Duration.ofSeconds(10)));
            maps.patch(ns, "before", PatchType.MERGE, "{\"data\":{\"value\":\"1\"}}");
            await(() -> heard.contains("update before 0->1"), "the informer follows: " + heard);
            // the informer's revision falls behind what a restarted server's cache holds (bookmarks aside)
            for (int i = 1; i <= MORE_THAN_THE_RING; i++) {
                maps.patch(elsewhere, "busy", PatchType.MERGE, "{\"data\":{\"value\":\"" + i + "\"}}");
            }

            restartServer();
            maps.create(configMap(ns, "after", "1"));
            maps.patch(ns, "before", PatchType.MERGE, "{\"data\":{\"value\":\"2\"}}");

            await(() -> heard.contains("update before 1->2"), "the changes after the restart reach the informer: " + heard);
            assertEquals(List.of("add before", "update before 0->1", "add after", "update before 1->2"), heard);
            assertEquals(1, informer.listCount(), "it resumed from its revision: no relist");
        }
    }

    @Test
    void deleteWithAPreconditionOnTheUid() throws Exception {
        String ns = namespace();
        ResourceClient<ObjectNode> maps = client().resources(CONFIG_MAPS);
        maps.create(configMap(ns, "guarded", "0"));
        ApiStatusException wrongUid = assertThrows(ApiStatusException.class,
                () -> maps.delete(ns, "guarded", DeleteOptions.DEFAULT.withPreconditionUid("not-its-uid")));
        assertEquals(409, wrongUid.code());
        assertTrue(maps.find(ns, "guarded").isPresent(), "a failed precondition deletes nothing");
    }

    protected static ResourceHandler<ObjectNode> recorder(List<String> heard) {
        return new ResourceHandler<>() {
            @Override
            public void onAdd(ObjectNode object) {
                heard.add("add " + name(object));
            }

            @Override
            public void onUpdate(ObjectNode oldObject, ObjectNode newObject) {
                if (oldObject != newObject) {
                    heard.add("update " + name(newObject) + " " + oldObject.path("data").path("value").asText() + "->"
                            + newObject.path("data").path("value").asText());
                }
            }

            @Override
            public void onDelete(ObjectNode lastKnown) {
                heard.add("delete " + name(lastKnown));
            }
        };
    }

    protected static <T> WatchHandler<T> collect(LinkedBlockingQueue<WatchEvent<T>> events) {
        return new WatchHandler<>() {
            @Override
            public void onEvent(WatchEvent<T> event) {
                events.add(event);
            }

            @Override
            public void onClose(Exception failure) {
                // the tests close their watches themselves
            }
        };
    }

    private static <T> WatchEvent<T> nextChange(LinkedBlockingQueue<WatchEvent<T>> events) throws InterruptedException {
        while (true) {
            WatchEvent<T> event = events.poll(10, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no watch event within 10 s");
            }
            if (!event.type().equals(WatchEvent.BOOKMARK)) {
                return event;
            }
        }
    }

    protected static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 15 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static String name(ObjectNode object) {
        return object.path("metadata").path("name").asText();
    }

    protected static List<String> names(List<ObjectNode> objects) {
        return objects.stream().map(ClientConformance::name).sorted().toList();
    }
}
