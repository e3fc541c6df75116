package io.kubundle.controller.gc.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.ControllerLoop;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ResourceClient;
import io.kubundle.client.kube.ResourceHandler;
import io.kubundle.client.kube.ResourceKind;
import io.kubundle.client.kube.WorkQueue;
import io.kubundle.client.kube.ControllerHost;

/**
 * Kubernetes' garbage collector: watches every resource that can be listed, watched and deleted,
 * keeps the owner graph, and (1) deletes objects all of whose owners are gone (after asking the
 * server, not just its cache), dropping references to owners that are gone when others remain;
 * (2) carries out foreground deletion: an owner marked with the {@code foregroundDeletion}
 * finalizer has its dependents deleted, and loses the finalizer (and so goes) once none remain;
 * (3) carries out orphan deletion: dependents lose their reference to an owner marked with the
 * {@code orphan} finalizer, then the owner loses the finalizer. Keys are uids.
 */
final class GarbageCollector implements ControllerHost.Controller {
    private static final System.Logger LOG = System.getLogger(GarbageCollector.class.getName());

    private final KubeClient client;
    private final OwnerGraph graph = new OwnerGraph();
    private final WorkQueue<String> queue = new WorkQueue<>("garbage-collector");
    private final List<Informer<ObjectNode>> informers = new ArrayList<>();
    /** {@code apiVersion/kind} -> the resource it is served as, from discovery. */
    private final Map<String, ResourceKind<ObjectNode>> byKind = new HashMap<>();
    /** {@code group/version/plural} -> resource. */
    private final Map<String, ResourceKind<ObjectNode>> byResource = new HashMap<>();
    private final ControllerLoop loop;

    private final int workers;

    GarbageCollector(KubeClient client, int workers) {
        this.client = client;
        this.workers = workers;
        this.loop = new ControllerLoop("garbage-collector", queue, this::reconcile, 15);
    }

    /** Discovers the resources, starts an informer for each and, once all have listed, the workers. */
    @Override
    public void start() throws IOException, ApiStatusException, InterruptedException {
        Duration syncTimeout = Duration.ofSeconds(60);
        Discovery discovery = Discovery.of(client);
        for (ResourceKind<ObjectNode> kind : discovery.all()) {
            byKind.put(kind.apiVersion() + "/" + kind.kind(), kind);
        }
        for (ResourceKind<ObjectNode> kind : discovery.watched()) {
            byResource.put(resourceName(kind), kind);
            if (kind.plural().equals("events")) {
                // events are many and nobody owns them: not worth a watch
                continue;
            }
            Informer<ObjectNode> informer = new Informer<>(client.resources(kind), Duration.ZERO);
            informer.addHandler(new GraphUpdater(kind));
            informers.add(informer);
        }
        for (Informer<ObjectNode> informer : informers) {
            informer.start();
        }
        for (Informer<ObjectNode> informer : informers) {
            if (!informer.awaitSynced(syncTimeout)) {
                LOG.log(System.Logger.Level.WARNING, "garbage collector: an informer did not sync in {0}; starting anyway", syncTimeout);
            }
        }
        loop.start(workers);
    }

    /** How many objects the graph holds (for health and tests). */
    int graphSize() {
        return graph.size();
    }

    @Override
    public void close() {
        loop.close();
        for (Informer<ObjectNode> informer : informers) {
            informer.close();
        }
    }

    private static String resourceName(ResourceKind<?> kind) {
        return kind.apiVersion() + "/" + kind.plural();
    }

    /** Keeps the graph current and queues what may need work. */
    private final class GraphUpdater implements ResourceHandler<ObjectNode> {
        private final ResourceKind<ObjectNode> kind;

        GraphUpdater(ResourceKind<ObjectNode> kind) {
            this.kind = kind;
        }

        @Override
        public void onAdd(ObjectNode object) {
            changed(object);
        }

        @Override
        public void onUpdate(ObjectNode oldObject, ObjectNode newObject) {
            changed(newObject);
        }

        private void changed(ObjectNode object) {
            OwnerGraph.Node node = node(kind, object);
            graph.put(node);
            queue.add(node.uid());
            // an owner waiting for this one (foreground) may be able to go on
            node.owners().forEach(owner -> queue.add(owner.uid()));
        }

        @Override
        public void onDelete(ObjectNode lastKnown) {
            String uid = lastKnown.path("metadata").path("uid").asText();
            OwnerGraph.Node gone = graph.remove(uid);
            for (OwnerGraph.Node dependent : graph.dependentsOf(uid)) {
                queue.add(dependent.uid());
            }
            if (gone != null) {
                gone.owners().forEach(owner -> queue.add(owner.uid()));
            }
        }
    }

    static OwnerGraph.Node node(ResourceKind<?> kind, ObjectNode object) {
        JsonNode metadata = object.path("metadata");
        List<OwnerGraph.OwnerRef> owners = new ArrayList<>();
        for (JsonNode owner : metadata.path("ownerReferences")) {
            owners.add(new OwnerGraph.OwnerRef(owner.path("apiVersion").asText(), owner.path("kind").asText(),
                    owner.path("name").asText(), owner.path("uid").asText(), owner.path("blockOwnerDeletion").asBoolean(false)));
        }
        List<String> finalizers = new ArrayList<>();
        metadata.path("finalizers").forEach(finalizer -> finalizers.add(finalizer.asText()));
        return new OwnerGraph.Node(metadata.path("uid").asText(), resourceName(kind), kind.apiVersion(), kind.kind(),
                metadata.path("namespace").asText(""), metadata.path("name").asText(), List.copyOf(owners),
                metadata.has("deletionTimestamp"), List.copyOf(finalizers));
    }

    private Duration reconcile(String uid) throws Exception {
        OwnerGraph.Node node = graph.get(uid);
        if (node == null) {
            return Duration.ZERO;
        }
        Decisions.Step step = Decisions.decide(graph, node);
        if (step instanceof Decisions.DeleteDependents delete) {
            for (OwnerGraph.Node dependent : delete.dependents()) {
                deleteObject(dependent, "Foreground");
            }
        } else if (step instanceof Decisions.FinishForeground) {
            removeFinalizer(node, Decisions.FOREGROUND_DELETION);
        } else if (step instanceof Decisions.Orphan orphan) {
            for (OwnerGraph.Node dependent : orphan.dependents()) {
                dropOwnerReferences(dependent, List.of(uid));
            }
            removeFinalizer(node, Decisions.ORPHAN);
        } else if (step instanceof Decisions.CheckOwners check) {
            List<String> reallyAbsent = new ArrayList<>();
            for (OwnerGraph.OwnerRef owner : check.absent()) {
                if (!ownerExists(node, owner)) {
                    reallyAbsent.add(owner.uid());
                }
            }
            if (reallyAbsent.size() == node.owners().size()) {
                deleteObject(node, "Background");
            } else if (!reallyAbsent.isEmpty()) {
                dropOwnerReferences(node, reallyAbsent);
            }
        }
        return Duration.ZERO;
    }

    /** Asks the server whether the owner (by kind and name, in the dependent's namespace if namespaced) is there with that uid. */
    private boolean ownerExists(OwnerGraph.Node dependent, OwnerGraph.OwnerRef owner) throws IOException, ApiStatusException {
        ResourceKind<ObjectNode> kind = byKind.get(owner.apiVersion() + "/" + owner.kind());
        if (kind == null) {
            // a kind the server does not serve: as Kubernetes does, treat the owner as gone only once discovery knows it
            LOG.log(System.Logger.Level.DEBUG, "garbage collector: unknown owner kind {0} {1}", owner.apiVersion(), owner.kind());
            return true;
        }
        Optional<ObjectNode> live = client.resources(kind).find(kind.namespaced() ? dependent.namespace() : null, owner.name());
        return live.isPresent() && live.get().path("metadata").path("uid").asText().equals(owner.uid());
    }

    private void deleteObject(OwnerGraph.Node node, String propagation) throws IOException, ApiStatusException {
        try {
            client.resources(byResource.get(node.resource())).delete(namespaceOf(node), node.name(),
                    DeleteOptions.propagation(propagation).withPreconditionUid(node.uid()));
        } catch (ApiStatusException e) {
            if (!e.isConflict()) {
                throw e;
            }
            // a precondition failure: the name now belongs to another object, which is not ours to delete
        }
    }

    private void dropOwnerReferences(OwnerGraph.Node node, List<String> ownerUids) throws IOException, ApiStatusException {
        updateMetadataList(node, "ownerReferences", owner -> ownerUids.contains(owner.path("uid").asText()));
    }

    private void removeFinalizer(OwnerGraph.Node node, String finalizer) throws IOException, ApiStatusException {
        updateMetadataList(node, "finalizers", value -> value.asText().equals(finalizer));
    }

    /**
     * Rewrites a list in the live object's metadata without the entries {@code drop} picks, with
     * optimistic concurrency: a stale copy is a 409 and the key is retried with the newer state.
     */
    private void updateMetadataList(OwnerGraph.Node node, String field, java.util.function.Predicate<JsonNode> drop)
            throws IOException, ApiStatusException {
        ResourceClient<ObjectNode> resources = client.resources(byResource.get(node.resource()));
        Optional<ObjectNode> live = resources.find(namespaceOf(node), node.name());
        if (live.isEmpty() || !live.get().path("metadata").path("uid").asText().equals(node.uid())) {
            return;
        }
        ObjectNode next = live.get().deepCopy();
        ObjectNode metadata = (ObjectNode) next.path("metadata");
        ArrayNode kept = client.json().createArrayNode();
        for (JsonNode value : metadata.path(field)) {
            if (!drop.test(value)) {
                kept.add(value);
            }
        }
        if (kept.isEmpty()) {
            metadata.remove(field);
        } else {
            metadata.set(field, kept);
        }
        resources.update(next);
    }

    private static String namespaceOf(OwnerGraph.Node node) {
        return node.namespace().isEmpty() ? null : node.namespace();
    }
}
