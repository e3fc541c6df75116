package io.kubundle.controller.deployment.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kubundle.controller.support.Names;

/**
 * Revisions, template hashes and history, as Kubernetes keeps them on ReplicaSets: the
 * {@code deployment.kubernetes.io/revision} annotation (what {@code kubectl rollout history} and
 * {@code undo} read), the {@code pod-template-hash} label, and which old ReplicaSets history
 * cleanup removes. Pure.
 */
final class Revisions {
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    static final String HASH_LABEL = "pod-template-hash";
    /** Deployment annotations not copied to its ReplicaSets (Kubernetes' annotationsToSkip). */
    static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY,
            DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to");

    private final ObjectMapper json;

    Revisions(ObjectMapper json) {
        this.json = json.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    }

    /** The ReplicaSet's revision, 0 if it has none (or a bad one). */
    static long revision(ReplicaSet set) {
        Map<String, String> annotations = set.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(REVISION);
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static long maxRevision(List<ReplicaSet> sets) {
        return sets.stream().mapToLong(Revisions::revision).max().orElse(0);
    }

    /**
     * The template's hash (with the collision count, when there is one): the suffix of the
     * ReplicaSet's name and its {@code pod-template-hash} label.
     */
    String hash(PodTemplateSpec template, Integer collisionCount) {
        try {
            String text = json.writeValueAsString(normalized(template));
            return Names.hash(collisionCount == null ? text : text + "/" + collisionCount);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether two templates are the same but for the {@code pod-template-hash} label (EqualIgnoreHash). */
    boolean sameIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
        return normalized(a).equals(normalized(b));
    }

    /** The template as a tree without the hash label, nulls or empty objects and lists. */
    private JsonNode normalized(PodTemplateSpec template) {
        JsonNode tree = json.valueToTree(template);
        JsonNode labels = tree.path("metadata").path("labels");
        if (labels instanceof ObjectNode labelObject) {
            labelObject.remove(HASH_LABEL);
        }
        prune(tree);
        return tree;
    }

    private static boolean prune(JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext();) {
                if (prune(fields.next().getValue())) {
                    fields.remove();
                }
            }
            return node.isEmpty();
        }
        if (node.isArray()) {
            node.forEach(Revisions::prune);
            return node.isEmpty();
        }
        return node.isNull();
    }

    /** Of the ReplicaSets with the deployment's template, the oldest (FindNewReplicaSet); null if none. */
    ReplicaSet findNew(PodTemplateSpec template, List<ReplicaSet> sets) {
        return sets.stream().filter(set -> sameIgnoringHash(template, set.getSpec().getTemplate()))
                .min(RollingUpdate.OLDEST_FIRST).orElse(null);
    }

    /**
     * The old ReplicaSets history cleanup deletes: those scaled to zero with no pods left, whose
     * status is current and which are not being deleted, beyond the {@code limit} newest by revision.
     */
    static List<ReplicaSet> toCleanUp(List<ReplicaSet> oldSets, int limit) {
        List<ReplicaSet> cleanable = new ArrayList<>();
        for (ReplicaSet set : oldSets) {
            boolean empty = RollingUpdate.specReplicas(set) == 0
                    && (set.getStatus() == null || set.getStatus().getReplicas() == null || set.getStatus().getReplicas() == 0);
            Long generation = set.getMetadata().getGeneration();
            Long observed = set.getStatus() == null ? null : set.getStatus().getObservedGeneration();
            boolean current = generation == null || (observed != null && observed >= generation);
            if (empty && current && set.getMetadata().getDeletionTimestamp() == null) {
                cleanable.add(set);
            }
        }
        int surplus = cleanable.size() - limit;
        if (surplus <= 0) {
            return List.of();
        }
        cleanable.sort(Comparator.comparingLong(Revisions::revision).thenComparing(RollingUpdate.OLDEST_FIRST));
        return cleanable.subList(0, surplus);
    }

    /**
     * Sets the revision annotation of the deployment's new ReplicaSet to {@code next} if that is
     * higher than its own (a rollback to it), remembering the old one in revision-history, and
     * copies the deployment's annotations; true if anything changed.
     */
    static boolean setNewAnnotations(Map<String, String> deploymentAnnotations, Map<String, String> setAnnotations, long next) {
        boolean changed = false;
        if (deploymentAnnotations != null) {
            for (Map.Entry<String, String> entry : deploymentAnnotations.entrySet()) {
                if (!NOT_COPIED.contains(entry.getKey()) && !entry.getValue().equals(setAnnotations.get(entry.getKey()))) {
                    setAnnotations.put(entry.getKey(), entry.getValue());
                    changed = true;
                }
            }
        }
        String old = setAnnotations.get(REVISION);
        long current;
        try {
            current = old == null ? 0 : Long.parseLong(old);
        } catch (NumberFormatException e) {
            current = 0;
        }
        if (current < next) {
            setAnnotations.put(REVISION, Long.toString(next));
            if (old != null) {
                String history = setAnnotations.get(REVISION_HISTORY);
                setAnnotations.put(REVISION_HISTORY, history == null || history.isEmpty() ? old : history + "," + old);
            }
            changed = true;
        }
        return changed;
    }
}
