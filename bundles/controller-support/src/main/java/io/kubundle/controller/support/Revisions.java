package io.kubundle.controller.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.kubundle.client.kube.ApiStatusException;
import io.kubundle.client.kube.DeleteOptions;
import io.kubundle.client.kube.ResourceClient;

/**
 * ControllerRevisions as DaemonSets and StatefulSets keep them: one per pod template an owner has
 * had, named {@code <owner>-<hash>}, holding the template as {@code data.spec.template}, numbered
 * in order of use; pods carry the hash (or the revision's name) in {@code controller-revision-hash}.
 * Going back to an earlier template reuses its revision and gives it the next number, as
 * {@code kubectl rollout undo} expects.
 */
public final class Revisions {
    /** The pod label naming the revision a pod was made from. */
    public static final String HASH_LABEL = "controller-revision-hash";

    private Revisions() {
    }

    /**
     * A stable hash of a template: the same template (whatever order its maps came in) always
     * gives the same hash; {@code collisionCount} changes it when the name is taken by another.
     */
    public static String hash(ObjectMapper json, PodTemplateSpec template, int collisionCount) {
        try {
            String text = json.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(template);
            return Names.hash(text + "/" + collisionCount);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise a pod template", e);
        }
    }

    /** The revision name for a hash: {@code <owner>-<hash>}. */
    public static String name(HasMetadata owner, String hash) {
        return Names.child(owner.getMetadata().getName(), hash);
    }

    /** A new revision of an owner holding the template, controlled by the owner. */
    public static ControllerRevision of(ObjectMapper json, HasMetadata owner, Map<String, String> labels, PodTemplateSpec template,
            String hash, long number) {
        Map<String, String> revisionLabels = new HashMap<>(labels == null ? Map.of() : labels);
        revisionLabels.put(HASH_LABEL, hash);
        Map<String, Object> data = Map.of("spec", Map.of("template", json.convertValue(template, Map.class)));
        return new ControllerRevisionBuilder().withNewMetadata().withName(name(owner, hash))
                .withNamespace(owner.getMetadata().getNamespace()).withLabels(revisionLabels)
                .withOwnerReferences(Owners.controllerReference(owner)).endMetadata().withData(data).withRevision(number).build();
    }

    /** The template a revision holds (null if it holds none). */
    public static PodTemplateSpec template(ObjectMapper json, ControllerRevision revision) {
        if (revision.getData() == null) {
            return null;
        }
        // fabric8 reads data (a RawExtension) as whatever class it guesses: go through JSON
        JsonNode template = json.valueToTree(revision.getData()).path("spec").path("template");
        return template.isObject() ? json.convertValue(template, PodTemplateSpec.class) : null;
    }

    /** One past the highest revision number (1 for none). */
    public static long nextNumber(List<ControllerRevision> revisions) {
        return revisions.stream().mapToLong(r -> r.getRevision() == null ? 0 : r.getRevision()).max().orElse(0) + 1;
    }

    /** The revisions beyond {@code limit} to delete, oldest first, never one in {@code inUse} (names). */
    public static List<ControllerRevision> beyondLimit(List<ControllerRevision> revisions, Set<String> inUse, int limit) {
        List<ControllerRevision> unused = new ArrayList<>(revisions.stream()
                .filter(r -> !inUse.contains(r.getMetadata().getName())).toList());
        unused.sort(Comparator.comparingLong(r -> r.getRevision() == null ? 0 : r.getRevision()));
        int excess = unused.size() - Math.max(0, limit);
        return excess <= 0 ? List.of() : List.copyOf(unused.subList(0, excess));
    }

    /**
     * Makes sure the owner's current template has a revision and that it is the newest: creates
     * it, or renumbers an earlier one the owner went back to. {@code owned} are the owner's
     * revisions as the caller's cache has them. Returns the revision.
     */
    public static ControllerRevision ensure(ResourceClient<ControllerRevision> client, ObjectMapper json, HasMetadata owner,
            Map<String, String> labels, PodTemplateSpec template, String hash, List<ControllerRevision> owned)
            throws IOException, ApiStatusException {
        String name = name(owner, hash);
        long next = nextNumber(owned);
        Optional<ControllerRevision> existing = owned.stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst();
        if (existing.isPresent()) {
            ControllerRevision revision = existing.get();
            if (revision.getRevision() != null && revision.getRevision() == next - 1) {
                return revision;
            }
            ControllerRevision renumbered = new ControllerRevisionBuilder(revision).withRevision(next).build();
            return client.update(renumbered);
        }
        try {
            return client.create(of(json, owner, labels, template, hash, next));
        } catch (ApiStatusException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            // made by an earlier instance whose write the cache has not seen yet
            return client.get(owner.getMetadata().getNamespace(), name);
        }
    }

    /** Deletes the revisions beyond the history limit that no pod uses. */
    public static void truncate(ResourceClient<ControllerRevision> client, List<ControllerRevision> owned, Set<String> inUse, int limit)
            throws IOException, ApiStatusException {
        for (ControllerRevision old : beyondLimit(owned, inUse, limit)) {
            client.delete(old.getMetadata().getNamespace(), old.getMetadata().getName(),
                    DeleteOptions.DEFAULT.withPreconditionUid(old.getMetadata().getUid()));
        }
    }
}
