package io.kubundle.apiserver.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.admission.AdmissionChain;
import io.kubundle.api.admission.AdmissionDeniedException;
import io.kubundle.api.admission.AdmissionInvalidException;
import io.kubundle.api.admission.AdmissionRequest;

/**
 * The verbs of the Kubernetes API on any resource type: create, get, list, update, patch and
 * delete, with their subresources (status, scale), defaulting, validation and admission.
 */
final class Resources {
    /** The garbage collector's finalizers: delete the dependents first, or release them. */
    static final String FOREGROUND_DELETION = "foregroundDeletion";
    static final String ORPHAN = "orphan";

    private final Map<String, Object> evictionLocks = new java.util.concurrent.ConcurrentHashMap<>();
    static final int MAX_CONFLICT_RETRIES = 5;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final ObjectStorage storage;
    private final ResourceTypes types;
    private final ObjectMapper json;
    private final Supplier<AdmissionChain> admission;
    private final Executor background;
    private final ResourceType namespaces;

    Resources(ObjectStorage storage, ResourceTypes types, ObjectMapper json, Supplier<AdmissionChain> admission,
            Executor background) {
        this.storage = storage;
        this.types = types;
        this.json = json;
        this.admission = admission;
        this.background = background;
        this.namespaces = types.byResource("", "v1", "namespaces").orElseThrow();
    }

    ObjectStorage storage() {
        return storage;
    }

    /** Creates the namespaces every cluster starts with, if they are missing. */
    void ensureInitialNamespaces() throws ApiException {
        for (String name : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
            if (storage.find(namespaces, null, name).isEmpty()) {
                ObjectNode namespace = json.createObjectNode();
                namespace.put("apiVersion", "v1").put("kind", "Namespace").putObject("metadata").put("name", name);
                try {
                    create(namespaces, null, namespace, "system:apiserver", ManagedFields.Writer.update("kube-apiserver"));
                } catch (ApiException e) {
                    if (e.code() != 409) {
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * A look at a patched object before it is written (the request's field validation), given
     * the object before the patch. Called again when a patch is retried.
     */
    @FunctionalInterface
    interface PatchCheck {
        void check(ObjectNode before, ObjectNode patched) throws ApiException;
    }

    /** What an apply wrote, and whether it created the object. */
    record Applied(ObjectNode object, boolean created) {
    }

    ObjectNode create(ResourceType type, String namespace, ObjectNode object, String user, ManagedFields.Writer writer)
            throws ApiException {
        checkKind(type, object);
        ObjectRules.upgradeLegacy(type, object);
        ObjectNode metadata = object.with("metadata");
        checkNamespace(type, namespace, metadata);
        if (type.namespaced()) {
            metadata.put("namespace", namespace);
            requireActiveNamespace(namespace);
        } else {
            metadata.remove("namespace");
        }
        ObjectRules.applyDefaults(type, object);
        ManagedFields.record(null, object, writer, type.apiVersion(), null, ManagedFields.Scope.of(type, null));
        admit(AdmissionRequest.Operation.CREATE, type, namespace, object, null, user);
        metadata = object.with("metadata"); // a mutating hook may have replaced it
        String name = metadata.path("name").asText("");
        if (name.isEmpty() && !metadata.path("generateName").asText("").isEmpty()) {
            // validate the generated name as the stored object will carry it
            metadata.put("name", ObjectStorage.generateName(metadata.path("generateName").asText()));
        }
        // the uid is the server's, given before validation since a Job's generated selector names it
        metadata.put("uid", java.util.UUID.randomUUID().toString());
        ObjectRules.prepareForCreate(type, object);
        validate(type, object);
        validateAdmission(AdmissionRequest.Operation.CREATE, type, namespace, object, null, user);
        return storage.create(type, namespace, object);
    }

    ObjectNode get(ResourceType type, String namespace, String name) throws ApiException {
        return storage.get(type, namespace, name);
    }

    /** PUT: replaces the object, or only its status with {@code subresource} "status". */
    ObjectNode update(ResourceType type, String namespace, String name, String subresource, ObjectNode body, String user,
            ManagedFields.Writer writer) throws ApiException {
        checkBody(type, namespace, name, body);
        ObjectNode current = storage.get(type, namespace, name);
        checkResourceVersion(type, name, body, current);
        return write(type, namespace, name, subresource, current, body, user, writer);
    }

    /** The checks of a whole object sent for a named one: kind, namespace and name agree with the URL. */
    private void checkBody(ResourceType type, String namespace, String name, ObjectNode body) throws ApiException {
        checkKind(type, body);
        ObjectRules.upgradeLegacy(type, body);
        checkNamespace(type, namespace, body.with("metadata"));
        String bodyName = body.path("metadata").path("name").asText("");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
    }

    /** A resourceVersion in the body is a precondition: it must be the current one. */
    private static void checkResourceVersion(ResourceType type, String name, ObjectNode body, ObjectNode current) throws ApiException {
        String expected = body.path("metadata").path("resourceVersion").asText("");
        if (!expected.isEmpty() && !expected.equals(current.path("metadata").path("resourceVersion").asText())) {
            throw ApiException.conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
        }
    }

    /**
     * PATCH with {@code application/apply-patch+yaml}: server-side apply of {@code config} by
     * {@code writer}'s manager (see {@link ManagedFields}); creates the object when it is missing,
     * through the same path as a create.
     */
    Applied apply(ResourceType type, String namespace, String name, String subresource, ObjectNode config, String user,
            ManagedFields.Writer writer) throws ApiException {
        checkBody(type, namespace, name, config);
        if (!config.path("metadata").path("managedFields").isEmpty()) {
            throw ApiException.badRequest("metadata.managedFields must be nil");
        }
        ManagedFields.Scope scope = ManagedFields.Scope.of(type, subresource);
        for (int attempt = 0;; attempt++) {
            Optional<ObjectNode> current = storage.find(type, namespace, name);
            try {
                if (current.isEmpty()) {
                    if (subresource != null) {
                        throw ApiException.notFound(type, name);
                    }
                    ObjectNode object = ManagedFields.merge(null, config, writer.manager(), null, scope);
                    object.with("metadata").put("name", name);
                    return new Applied(create(type, namespace, object, user, writer), true);
                }
                checkResourceVersion(type, name, config, current.get());
                ObjectNode merged = ManagedFields.merge(current.get(), config, writer.manager(), subresource, scope);
                return new Applied(write(type, namespace, name, subresource, current.get(), merged, user, writer), false);
            } catch (ApiException e) {
                boolean raced = e.isStaleWrite() || (current.isEmpty() && "AlreadyExists".equals(e.reason()));
                if (!raced || attempt >= MAX_CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    /** PATCH with a JSON merge patch or a JSON patch; retried on conflict, since a patch needs no resourceVersion. */
    ObjectNode patch(ResourceType type, String namespace, String name, String subresource, String patchType, JsonNode patch,
            String user, ManagedFields.Writer writer, PatchCheck check) throws ApiException {
        for (int attempt = 0;; attempt++) {
            ObjectNode current = storage.get(type, namespace, name);
            JsonNode patched;
            if (patchType.startsWith("application/json-patch+json")) {
                patched = JsonPatch.apply(current, patch);
            } else if (patchType.startsWith("application/merge-patch+json")) {
                patched = MergePatch.apply(current, patch);
            } else if (patchType.startsWith("application/strategic-merge-patch+json")) {
                patched = StrategicMergePatch.apply(current, patch);
            } else {
                throw new ApiException(415, "UnsupportedMediaType", "unsupported patch type: " + patchType
                        + " (supported: application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json)");
            }
            if (!(patched instanceof ObjectNode object)) {
                throw ApiException.badRequest("the patch does not leave an object");
            }
            check.check(current, object);
            try {
                return write(type, namespace, name, subresource, current, object, user, writer);
            } catch (ApiException e) {
                if (!e.isStaleWrite() || attempt >= MAX_CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    /**
     * The shared tail of update and patch: keep what the caller may not change, default, record
     * the managed fields of {@code writer} (none when null), admit, validate, store.
     */
    private ObjectNode write(ResourceType type, String namespace, String name, String subresource, ObjectNode current,
            ObjectNode body, String user, ManagedFields.Writer writer) throws ApiException {
        ObjectNode next;
        if (CertificateSigningRequests.isCsr(type)) {
            next = CertificateSigningRequests.prepareForUpdate(subresource, current, body);
        } else if ("status".equals(subresource)) {
            next = current.deepCopy();
            if (body.has("status")) {
                next.set("status", body.get("status").deepCopy());
            } else {
                next.remove("status");
            }
        } else {
            next = body.deepCopy();
            if (type.hasStatus()) {
                if (current.has("status")) {
                    next.set("status", current.get("status").deepCopy());
                } else {
                    next.remove("status");
                }
            }
        }
        // whatever version the client wrote through, the stored object is of the storage version
        next.put("apiVersion", type.apiVersion());
        next.put("kind", type.kind());
        ObjectNode metadata = next.with("metadata");
        ObjectNode was = (ObjectNode) current.path("metadata");
        for (String kept : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")) {
            if (was.has(kept)) {
                metadata.set(kept, was.get(kept));
            } else {
                metadata.remove(kept);
            }
        }
        metadata.put("name", name);
        if (type.namespaced()) {
            metadata.put("namespace", namespace);
        }
        long generation = was.path("generation").asLong(1);
        boolean specChanged = !next.path("spec").equals(current.path("spec"));
        metadata.put("generation", specChanged ? generation + 1 : generation);
        ObjectRules.applyDefaults(type, next);
        ManagedFields.record(current, next, writer, type.apiVersion(), subresource, ManagedFields.Scope.of(type, subresource));
        admit(AdmissionRequest.Operation.UPDATE, type, namespace, next, current, user);
        validate(type, next);
        if (CertificateSigningRequests.isCsr(type)) {
            List<ApiException.Cause> causes = CertificateSigningRequests.validateUpdate(next, current);
            if (!causes.isEmpty()) {
                throw ApiException.invalid(type, name, causes);
            }
        }
        validateAdmission(AdmissionRequest.Operation.UPDATE, type, namespace, next, current, user);
        long revision = Long.parseLong(current.path("metadata").path("resourceVersion").asText("0"));
        if (was.has("deletionTimestamp") && metadata.path("finalizers").isEmpty()) {
            // the last finalizer is gone: the deletion that waited for it completes now
            return storage.remove(type, namespace, name, revision);
        }
        return storage.replace(type, namespace, name, next, revision);
    }

    /**
     * DELETE: removes the object, or marks it deleted when finalizers must run first. A namespace is
     * marked Terminating and emptied in the background.
     */
    ObjectNode delete(ResourceType type, String namespace, String name, JsonNode options, String user) throws ApiException {
        // retried when a controller wrote in between, as a patch is: preconditions, if any, are checked again
        for (int attempt = 0;; attempt++) {
            try {
                return deleteOnce(type, namespace, name, options, user);
            } catch (ApiException e) {
                if (!e.isStaleWrite() || attempt >= MAX_CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    private ObjectNode deleteOnce(ResourceType type, String namespace, String name, JsonNode options, String user)
            throws ApiException {
        ObjectNode current = storage.get(type, namespace, name);
        String precondition = options.path("preconditions").path("resourceVersion").asText("");
        if (!precondition.isEmpty() && !precondition.equals(current.path("metadata").path("resourceVersion").asText())) {
            throw ApiException.conflict(type, name, "the ResourceVersion in the precondition (" + precondition
                    + ") does not match the ResourceVersion in record");
        }
        String uid = options.path("preconditions").path("uid").asText("");
        if (!uid.isEmpty() && !uid.equals(current.path("metadata").path("uid").asText())) {
            throw ApiException.conflict(type, name, "the UID in the precondition (" + uid + ") does not match the UID in record");
        }
        admit(AdmissionRequest.Operation.DELETE, type, namespace, current.deepCopy(), current, user);
        validateAdmission(AdmissionRequest.Operation.DELETE, type, namespace, current, current, user);
        long revision = Long.parseLong(current.path("metadata").path("resourceVersion").asText());
        if (type == namespaces) {
            return terminateNamespace(current, revision);
        }
        long grace = gracePeriod(type, current, options);
        String propagationFinalizer = propagationFinalizer(type, name, options);
        ArrayNode finalizers = current.path("metadata").path("finalizers") instanceof ArrayNode list ? list : json.createArrayNode();
        boolean addsFinalizer = propagationFinalizer != null && !contains(finalizers, propagationFinalizer);
        if (grace > 0 || !finalizers.isEmpty() || addsFinalizer) {
            boolean marked = current.path("metadata").has("deletionTimestamp");
            if (marked && !addsFinalizer && grace >= current.path("metadata").path("deletionGracePeriodSeconds").asLong()) {
                return current;
            }
            // marked, not removed: the kubelet stops the pod within the grace period, finalizers run
            // (the garbage collector's foregroundDeletion and orphan among them), then it goes
            ObjectNode next = current.deepCopy();
            if (addsFinalizer) {
                next.with("metadata").withArray("finalizers").add(propagationFinalizer);
            }
            if (!marked || grace < current.path("metadata").path("deletionGracePeriodSeconds").asLong()) {
                next.with("metadata").put("deletionTimestamp", java.time.Instant.now().plusSeconds(grace)
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
                next.with("metadata").put("deletionGracePeriodSeconds", grace);
            }
            return storage.replace(type, namespace, name, next, revision);
        }
        return storage.remove(type, namespace, name, revision);
    }

    /** The finalizer the garbage collector works under for {@code propagationPolicy}: null for Background. */
    private static String propagationFinalizer(ResourceType type, String name, JsonNode options) throws ApiException {
        String policy = options.path("propagationPolicy").asText("");
        if (policy.isEmpty() && options.has("orphanDependents")) {
            policy = options.path("orphanDependents").asBoolean() ? "Orphan" : "Background";
        }
        return switch (policy) {
            case "", "Background" -> null;
            case "Foreground" -> FOREGROUND_DELETION;
            case "Orphan" -> ORPHAN;
            default -> throw ApiException.invalid(type, name, List.of(new ApiException.Cause("FieldValueNotSupported",
                    "propagationPolicy", "Unsupported value: \"" + policy + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"")));
        };
    }

    private static boolean contains(ArrayNode values, String value) {
        for (JsonNode element : values) {
            if (element.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The graceful deletion period: only for pods on a node (a pod no kubelet runs has nothing to
     * stop), from the request, else the pod's terminationGracePeriodSeconds.
     */
    private static long gracePeriod(ResourceType type, ObjectNode current, JsonNode options) {
        if (!type.kind().equals("Pod") || current.path("spec").path("nodeName").asText("").isEmpty()) {
            return 0;
        }
        if (options.has("gracePeriodSeconds")) {
            return Math.max(0, options.path("gracePeriodSeconds").asLong());
        }
        return current.path("spec").path("terminationGracePeriodSeconds").asLong(30);
    }

    /** pods/binding: the scheduler's assignment of a pod to a node; a pod is bound once. */
    ObjectNode bind(ResourceType type, String namespace, String name, ObjectNode binding, String user) throws ApiException {
        String node = binding.path("target").path("name").asText("");
        if (node.isEmpty()) {
            throw ApiException.invalid(type, name, List.of(new ApiException.Cause("FieldValueRequired", "target.name", "Required value")));
        }
        ObjectNode current = storage.get(type, namespace, name);
        String bound = current.path("spec").path("nodeName").asText("");
        if (!bound.isEmpty()) {
            throw ApiException.conflict(type, name, "pod " + name + " is already assigned to node \"" + bound + "\"");
        }
        if (current.path("metadata").has("deletionTimestamp")) {
            throw ApiException.conflict(type, name, "pod " + name + " is being deleted, cannot be assigned to a host");
        }
        ObjectNode next = current.deepCopy();
        next.with("spec").put("nodeName", node);
        // as Kubernetes' binding does: the PodScheduled condition becomes True (replacing an Unschedulable one)
        com.fasterxml.jackson.databind.node.ArrayNode conditions = json.createArrayNode();
        for (JsonNode condition : current.path("status").path("conditions")) {
            if (!condition.path("type").asText().equals("PodScheduled")) {
                conditions.add(condition);
            }
        }
        conditions.addObject().put("type", "PodScheduled").put("status", "True").putNull("lastProbeTime")
                .put("lastTransitionTime", ObjectStorage.now());
        next.with("status").set("conditions", conditions);
        // as in Kubernetes, a binding records no managed fields
        write(type, namespace, name, null, current, next, user, null);
        return Statuses.created();
    }

    /**
     * pods/eviction: a delete that respects the PodDisruptionBudget covering the pod (429 when it
     * would break it). Evictions in one namespace are serialised, so two cannot both take the
     * budget's last disruption.
     */
    ObjectNode evict(ResourceType type, String namespace, String name, ObjectNode eviction, String user) throws ApiException {
        JsonNode options = eviction.path("deleteOptions");
        synchronized (evictionLocks.computeIfAbsent(namespace, ns -> new Object())) {
            ObjectNode pod = storage.get(type, namespace, name);
            ResourceType budgets = types.byResource("policy", "v1", "poddisruptionbudgets").orElseThrow();
            DisruptionBudgets.checkEviction(pod, storage.list(budgets, namespace, ListOptions.from(Map.of())).items(),
                    storage.list(type, namespace, ListOptions.from(Map.of())).items());
            delete(type, namespace, name, options.isObject() ? options : json.createObjectNode(), user);
        }
        return Statuses.created();
    }

    private ObjectNode terminateNamespace(ObjectNode namespace, long revision) throws ApiException {
        String name = namespace.path("metadata").path("name").asText();
        ObjectNode marked = namespace.deepCopy();
        if (!namespace.path("metadata").has("deletionTimestamp")) {
            marked.with("metadata").put("deletionTimestamp", ObjectStorage.now());
            marked.with("metadata").put("deletionGracePeriodSeconds", 0);
            marked.with("status").put("phase", "Terminating");
            marked = storage.replace(namespaces, null, name, marked, revision);
        }
        background.execute(() -> emptyAndRemoveNamespace(name));
        return marked;
    }

    /** Deletes everything in the namespace, then the namespace itself. */
    private void emptyAndRemoveNamespace(String name) {
        try {
            for (ResourceType type : types.all()) {
                if (!type.namespaced()) {
                    continue;
                }
                for (ObjectNode object : storage.list(type, name, ListOptions.from(Map.of())).items()) {
                    try {
                        storage.remove(type, name, object.path("metadata").path("name").asText(), 0);
                    } catch (ApiException e) {
                        if (e.code() != 404) {
                            throw e;
                        }
                    }
                }
            }
            storage.remove(namespaces, null, name, 0);
        } catch (ApiException e) {
            System.err.println("kubundle apiserver: emptying namespace " + name + " failed: " + e.getMessage());
        }
    }

    /** deletecollection: deletes every object the selectors match; returns the list of what was deleted. */
    List<ObjectNode> deleteCollection(ResourceType type, String namespace, ListOptions options, JsonNode deleteOptions,
            String user) throws ApiException {
        List<ObjectNode> deleted = new java.util.ArrayList<>();
        for (ObjectNode object : storage.list(type, namespace, options).items()) {
            try {
                deleted.add(delete(type, namespace, object.path("metadata").path("name").asText(), deleteOptions, user));
            } catch (ApiException e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
        return deleted;
    }

    /** The autoscaling/v1 Scale of a scalable object. */
    ObjectNode scaleOf(ObjectNode object) {
        ObjectNode scale = json.createObjectNode();
        scale.put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode metadata = scale.putObject("metadata");
        for (String field : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (object.path("metadata").has(field)) {
                metadata.set(field, object.path("metadata").get(field));
            }
        }
        scale.putObject("spec").put("replicas", object.path("spec").path("replicas").asInt(0));
        ObjectNode status = scale.putObject("status").put("replicas", object.path("status").path("replicas").asInt(0));
        StringBuilder selector = new StringBuilder();
        object.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e ->
                selector.append(selector.length() == 0 ? "" : ",").append(e.getKey()).append('=').append(e.getValue().asText()));
        status.put("selector", selector.toString());
        return scale;
    }

    /** PUT or PATCH of the scale subresource: only spec.replicas changes. */
    ObjectNode updateScale(ResourceType type, String namespace, String name, JsonNode scale, String user, String manager)
            throws ApiException {
        if (!scale.path("spec").path("replicas").canConvertToInt()) {
            throw ApiException.invalid(type, name, List.of(new ApiException.Cause("FieldValueRequired", "spec.replicas", "Required value")));
        }
        ObjectNode current = storage.get(type, namespace, name);
        ObjectNode next = current.deepCopy();
        next.with("spec").put("replicas", scale.path("spec").path("replicas").asInt());
        return scaleOf(write(type, namespace, name, "scale", current, next, user, ManagedFields.Writer.update(manager)));
    }

    private void checkKind(ResourceType type, ObjectNode object) throws ApiException {
        String kind = object.path("kind").asText("");
        String apiVersion = object.path("apiVersion").asText("");
        if (kind.isEmpty() || apiVersion.isEmpty()) {
            // Kubernetes fills them in from the URL when both are missing
            if (kind.isEmpty() && apiVersion.isEmpty()) {
                object.put("apiVersion", type.apiVersion());
                object.put("kind", type.kind());
                return;
            }
            throw ApiException.badRequest("Object 'Kind' is missing in the request body");
        }
        Optional<ResourceType> named = types.byKind(apiVersion, kind);
        if (named.isEmpty() || named.get() != type) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version ("
                    + type.apiVersion() + ") or the kind (" + kind + ") does not match " + type.kind());
        }
    }

    private static void checkNamespace(ResourceType type, String namespace, ObjectNode metadata) throws ApiException {
        String inBody = metadata.path("namespace").asText("");
        if (type.namespaced() && !inBody.isEmpty() && !inBody.equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private void requireActiveNamespace(String namespace) throws ApiException {
        Optional<ObjectNode> found = storage.find(namespaces, null, namespace);
        if (found.isEmpty()) {
            throw ApiException.notFound(namespaces, namespace);
        }
        if (found.get().path("metadata").has("deletionTimestamp")) {
            throw new ApiException(403, "Forbidden", "unable to create new content in namespace " + namespace
                    + " because it is being terminated");
        }
    }

    private void validate(ResourceType type, ObjectNode object) throws ApiException {
        List<ApiException.Cause> causes = ObjectRules.validate(type, object);
        if (!causes.isEmpty()) {
            throw ApiException.invalid(type, object.path("metadata").path("name").asText(""), causes);
        }
    }

    /** The validating hooks, on copies: after the mutating hooks and the built-in validation, as Kubernetes orders them. */
    private void validateAdmission(AdmissionRequest.Operation operation, ResourceType type, String namespace, ObjectNode object,
            ObjectNode old, String user) throws ApiException {
        AdmissionChain chain = admission.get();
        if (chain == null) {
            return;
        }
        try {
            chain.validate(new AdmissionRequest(operation, type.apiVersion(), type.kind(), namespace,
                    object.path("metadata").path("name").asText(""), json.convertValue(object, MAP),
                    old == null ? null : json.convertValue(old, MAP), user));
        } catch (AdmissionDeniedException e) {
            throw new ApiException(403, "Forbidden", e.getMessage());
        }
    }

    private void admit(AdmissionRequest.Operation operation, ResourceType type, String namespace, ObjectNode object,
            ObjectNode old, String user) throws ApiException {
        AdmissionChain chain = admission.get();
        if (chain == null) {
            return;
        }
        Map<String, Object> tree = json.convertValue(object, MAP);
        Map<String, Object> oldTree = old == null ? null : json.convertValue(old, MAP);
        try {
            chain.admit(new AdmissionRequest(operation, type.apiVersion(), type.kind(), namespace,
                    object.path("metadata").path("name").asText(""), tree, oldTree, user));
        } catch (AdmissionInvalidException e) {
            throw ApiException.invalid(type, object.path("metadata").path("name").asText(""), e.causes().stream()
                    .map(c -> new ApiException.Cause(c.reason(), c.field(), c.message())).toList());
        } catch (AdmissionDeniedException e) {
            throw new ApiException(403, "Forbidden", e.getMessage());
        }
        if (operation != AdmissionRequest.Operation.DELETE) {
            ObjectNode admitted = json.valueToTree(tree);
            object.removeAll();
            object.setAll(admitted);
        }
    }
}
