package io.kubundle.apiserver.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.meta.LabelSyntax;

/**
 * Defaulting and validation of incoming objects, as Kubernetes' API strategies do them for the
 * fields the rest of the system relies on. Objects are JSON trees; fields the server does not
 * interpret pass through untouched.
 */
final class ObjectRules {
    private ObjectRules() {
    }

    /** Converts a legacy object ({@code extensions/v1beta1} and friends) to the stored version, in place. */
    static void upgradeLegacy(ResourceType type, ObjectNode object) {
        String apiVersion = object.path("apiVersion").asText();
        if (apiVersion.equals(type.apiVersion())) {
            return;
        }
        object.put("apiVersion", type.apiVersion());
        // those versions defaulted a missing selector to the template's labels
        ObjectNode spec = object.with("spec");
        JsonNode templateLabels = spec.path("template").path("metadata").path("labels");
        if (!spec.has("selector") && templateLabels.isObject()) {
            spec.putObject("selector").set("matchLabels", templateLabels.deepCopy());
        }
    }

    /** Fills in the defaults Kubernetes fills in on create. */
    static void applyDefaults(ResourceType type, ObjectNode object) {
        defaultWorkloadStrategy(type.kind(), object);
        switch (type.kind()) {
            case "Namespace" -> {
                object.with("spec").withArray("finalizers");
                if (object.path("spec").path("finalizers").isEmpty()) {
                    ((ArrayNode) object.with("spec").withArray("finalizers")).add("kubernetes");
                }
                object.with("status").put("phase", "Active");
            }
            case "Pod" -> {
                defaultPodSpec(object.with("spec"));
                if (!object.path("status").has("phase")) {
                    object.with("status").put("phase", "Pending");
                }
            }
            case "Deployment" -> {
                ObjectNode spec = object.with("spec");
                putIfMissing(spec, "replicas", 1);
                putIfMissing(spec, "revisionHistoryLimit", 10);
                putIfMissing(spec, "progressDeadlineSeconds", 600);
                if (!spec.has("strategy")) {
                    ObjectNode strategy = spec.putObject("strategy");
                    strategy.put("type", "RollingUpdate");
                    strategy.putObject("rollingUpdate").put("maxUnavailable", "25%").put("maxSurge", "25%");
                }
                defaultTemplate(spec);
            }
            case "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController" -> {
                ObjectNode spec = object.with("spec");
                if (!type.kind().equals("DaemonSet")) {
                    putIfMissing(spec, "replicas", 1);
                }
                defaultTemplate(spec);
            }
            case "Job" -> {
                ObjectNode spec = object.with("spec");
                putIfMissing(spec, "backoffLimit", 6);
                putIfMissing(spec, "completions", 1);
                putIfMissing(spec, "parallelism", 1);
                ObjectNode podSpec = spec.with("template").with("spec");
                defaultPodSpec(podSpec);
            }
            case "Service" -> {
                ObjectNode spec = object.with("spec");
                putIfMissing(spec, "type", "ClusterIP");
                putIfMissing(spec, "sessionAffinity", "None");
                for (JsonNode port : spec.path("ports")) {
                    putIfMissing((ObjectNode) port, "protocol", "TCP");
                    if (!port.has("targetPort") && port.has("port")) {
                        ((ObjectNode) port).set("targetPort", port.get("port"));
                    }
                }
            }
            case "Secret" -> {
                putIfMissing(object, "type", "Opaque");
                // stringData is write-only: it is merged into data, base64-encoded, as Kubernetes does
                JsonNode stringData = object.remove("stringData");
                if (stringData != null && stringData.isObject()) {
                    ObjectNode data = object.with("data");
                    stringData.fields().forEachRemaining(e -> data.put(e.getKey(), java.util.Base64.getEncoder()
                            .encodeToString(e.getValue().asText().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
                }
            }
            default -> {
                // nothing to default
            }
        }
    }

    /**
     * The update strategy and history defaults of DaemonSets and StatefulSets (and the pod
     * management and claim retention of StatefulSets), as {@code kubectl rollout status} and the
     * controllers read them.
     */
    private static void defaultWorkloadStrategy(String kind, ObjectNode object) {
        if (!kind.equals("DaemonSet") && !kind.equals("StatefulSet")) {
            return;
        }
        ObjectNode spec = object.with("spec");
        putIfMissing(spec, "revisionHistoryLimit", 10);
        ObjectNode strategy = spec.with("updateStrategy");
        putIfMissing(strategy, "type", "RollingUpdate");
        if (strategy.path("type").asText().equals("RollingUpdate")) {
            ObjectNode rolling = strategy.with("rollingUpdate");
            if (kind.equals("DaemonSet")) {
                putIfMissing(rolling, "maxUnavailable", 1);
                putIfMissing(rolling, "maxSurge", 0);
            } else {
                putIfMissing(rolling, "partition", 0);
            }
        }
        if (kind.equals("StatefulSet")) {
            putIfMissing(spec, "podManagementPolicy", "OrderedReady");
            ObjectNode retention = spec.with("persistentVolumeClaimRetentionPolicy");
            putIfMissing(retention, "whenDeleted", "Retain");
            putIfMissing(retention, "whenScaled", "Retain");
        }
    }

    private static void defaultTemplate(ObjectNode spec) {
        JsonNode template = spec.path("template");
        if (template.isObject()) {
            defaultPodSpec(((ObjectNode) template).with("spec"));
        }
    }

    private static void defaultPodSpec(ObjectNode podSpec) {
        putIfMissing(podSpec, "restartPolicy", "Always");
        putIfMissing(podSpec, "terminationGracePeriodSeconds", 30);
        putIfMissing(podSpec, "dnsPolicy", "ClusterFirst");
        putIfMissing(podSpec, "schedulerName", "default-scheduler");
        if (!podSpec.has("securityContext")) {
            podSpec.putObject("securityContext");
        }
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode container : podSpec.path(list)) {
                if (container instanceof ObjectNode c) {
                    putIfMissing(c, "terminationMessagePath", "/dev/termination-log");
                    putIfMissing(c, "terminationMessagePolicy", "File");
                    putIfMissing(c, "imagePullPolicy", pullPolicy(c.path("image").asText()));
                    if (!c.has("resources")) {
                        c.putObject("resources");
                    }
                    for (JsonNode port : c.path("ports")) {
                        putIfMissing((ObjectNode) port, "protocol", "TCP");
                    }
                }
            }
        }
    }

    /** Always for {@code :latest} or an untagged image, else IfNotPresent: Kubernetes' rule. */
    static String pullPolicy(String image) {
        String last = image.substring(image.lastIndexOf('/') + 1);
        if (last.contains("@")) {
            return "IfNotPresent";
        }
        int colon = last.lastIndexOf(':');
        return colon < 0 || last.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
    }

    private static void putIfMissing(ObjectNode node, String field, Object value) {
        if (!node.has(field) || node.get(field).isNull()) {
            if (value instanceof Integer i) {
                node.put(field, i);
            } else {
                node.put(field, value.toString());
            }
        }
    }

    static final String JOB_CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    static final String JOB_NAME = "batch.kubernetes.io/job-name";
    private static final String LEGACY_JOB_CONTROLLER_UID = "controller-uid";
    private static final String LEGACY_JOB_NAME = "job-name";

    /**
     * What only a create does, once the object has its uid: a Job without {@code manualSelector}
     * selects its pods by its uid, and its template carries the uid and name labels (user-set
     * ones are kept, and validation rejects them if they disagree), as Kubernetes' job strategy does.
     */
    static void prepareForCreate(ResourceType type, ObjectNode object) {
        if (!type.kind().equals("Job") || object.path("spec").path("manualSelector").asBoolean(false)) {
            return;
        }
        String uid = object.path("metadata").path("uid").asText();
        String name = object.path("metadata").path("name").asText();
        ObjectNode spec = object.with("spec");
        ObjectNode labels = spec.with("template").with("metadata").with("labels");
        putIfMissing(labels, LEGACY_JOB_NAME, name);
        putIfMissing(labels, JOB_NAME, name);
        putIfMissing(labels, LEGACY_JOB_CONTROLLER_UID, uid);
        putIfMissing(labels, JOB_CONTROLLER_UID, uid);
        putIfMissing(spec.with("selector").with("matchLabels"), JOB_CONTROLLER_UID, uid);
    }

    /** The problems of an object, empty if it is valid. */
    static List<ApiException.Cause> validate(ResourceType type, ObjectNode object) {
        List<ApiException.Cause> causes = new ArrayList<>();
        JsonNode metadata = object.path("metadata");
        String name = metadata.path("name").asText("");
        if (name.isEmpty()) {
            causes.add(new ApiException.Cause("FieldValueRequired", "metadata.name", "Required value: name or generateName is required"));
        } else if (dnsLabelNamed(type) ? !LabelSyntax.isDnsLabel(name) : !LabelSyntax.isDnsSubdomain(name)) {
            causes.add(new ApiException.Cause("FieldValueInvalid", "metadata.name", "Invalid value: \"" + name + "\": "
                    + (dnsLabelNamed(type) ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
                            : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")));
        }
        validateLabels(metadata.path("labels"), "metadata.labels", causes);
        switch (type.kind()) {
            case "Pod" -> validatePodSpec(object.path("spec"), "spec", causes);
            case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet" -> {
                JsonNode spec = object.path("spec");
                JsonNode selector = spec.path("selector");
                if (!selector.isObject() || (selector.path("matchLabels").isEmpty() && selector.path("matchExpressions").isEmpty())) {
                    causes.add(new ApiException.Cause("FieldValueRequired", "spec.selector", "Required value"));
                } else {
                    Map<String, String> templateLabels = ObjectStorage.labels(spec.path("template"));
                    selector.path("matchLabels").fields().forEachRemaining(e -> {
                        if (!e.getValue().asText().equals(templateLabels.get(e.getKey()))) {
                            causes.add(new ApiException.Cause("FieldValueInvalid", "spec.template.metadata.labels",
                                    "Invalid value: " + templateLabels + ": `selector` does not match template `labels`"));
                        }
                    });
                }
                if (spec.path("replicas").asInt(0) < 0) {
                    causes.add(new ApiException.Cause("FieldValueInvalid", "spec.replicas", "Invalid value: "
                            + spec.path("replicas").asInt() + ": must be greater than or equal to 0"));
                }
                validatePodSpec(spec.path("template").path("spec"), "spec.template.spec", causes);
            }
            case "Job" -> validateJob(object, causes);
            case CertificateSigningRequests.KIND -> causes.addAll(CertificateSigningRequests.validate(object));
            default -> {
                // no further rules yet
            }
        }
        return causes;
    }

    private static void validateJob(ObjectNode job, List<ApiException.Cause> causes) {
        JsonNode spec = job.path("spec");
        Map<String, String> templateLabels = ObjectStorage.labels(spec.path("template"));
        if (!spec.path("manualSelector").asBoolean(false)) {
            // the selector was generated on create: it must still be the uid's, and the template must carry it
            String uid = job.path("metadata").path("uid").asText();
            String name = job.path("metadata").path("name").asText();
            for (Map.Entry<String, String> label : Map.of(JOB_CONTROLLER_UID, uid, LEGACY_JOB_CONTROLLER_UID, uid, JOB_NAME, name,
                    LEGACY_JOB_NAME, name).entrySet()) {
                if (!label.getValue().equals(templateLabels.get(label.getKey()))) {
                    causes.add(new ApiException.Cause("FieldValueInvalid", "spec.template.metadata.labels", "Invalid value: \""
                            + templateLabels.get(label.getKey()) + "\": must be '" + label.getValue() + "'"));
                }
            }
            Map<String, String> selector = new java.util.TreeMap<>();
            spec.path("selector").path("matchLabels").fields().forEachRemaining(e -> selector.put(e.getKey(), e.getValue().asText()));
            if (!selector.equals(Map.of(JOB_CONTROLLER_UID, uid)) || spec.path("selector").has("matchExpressions")) {
                causes.add(new ApiException.Cause("FieldValueInvalid", "spec.selector", "Invalid value: " + spec.path("selector")
                        + ": `selector` not auto-generated"));
            }
        } else if (spec.path("selector").path("matchLabels").isEmpty() && spec.path("selector").path("matchExpressions").isEmpty()) {
            causes.add(new ApiException.Cause("FieldValueRequired", "spec.selector", "Required value"));
        } else {
            spec.path("selector").path("matchLabels").fields().forEachRemaining(e -> {
                if (!e.getValue().asText().equals(templateLabels.get(e.getKey()))) {
                    causes.add(new ApiException.Cause("FieldValueInvalid", "spec.template.metadata.labels",
                            "Invalid value: " + templateLabels + ": `selector` does not match template `labels`"));
                }
            });
        }
        String restartPolicy = spec.path("template").path("spec").path("restartPolicy").asText("");
        if (!restartPolicy.equals("OnFailure") && !restartPolicy.equals("Never")) {
            causes.add(new ApiException.Cause("FieldValueNotSupported", "spec.template.spec.restartPolicy",
                    "Unsupported value: \"" + restartPolicy + "\": supported values: \"OnFailure\", \"Never\""));
        }
        validatePodSpec(spec.path("template").path("spec"), "spec.template.spec", causes);
    }

    private static boolean dnsLabelNamed(ResourceType type) {
        return type.kind().equals("Namespace") || type.kind().equals("Service");
    }

    private static void validateLabels(JsonNode labels, String field, List<ApiException.Cause> causes) {
        labels.fields().forEachRemaining(e -> {
            if (!LabelSyntax.isQualifiedName(e.getKey())) {
                causes.add(new ApiException.Cause("FieldValueInvalid", field, "Invalid value: \"" + e.getKey() + "\": name part must consist of alphanumeric characters, '-', '_' or '.'"));
            } else if (!e.getValue().isTextual() || !LabelSyntax.isLabelValue(e.getValue().asText())) {
                causes.add(new ApiException.Cause("FieldValueInvalid", field, "Invalid value: \"" + e.getValue().asText()
                        + "\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'"));
            }
        });
    }

    private static void validatePodSpec(JsonNode spec, String field, List<ApiException.Cause> causes) {
        JsonNode containers = spec.path("containers");
        if (!containers.isArray() || containers.isEmpty()) {
            causes.add(new ApiException.Cause("FieldValueRequired", field + ".containers", "Required value"));
            return;
        }
        for (int i = 0; i < containers.size(); i++) {
            JsonNode container = containers.get(i);
            String at = field + ".containers[" + i + "]";
            if (container.path("name").asText("").isEmpty()) {
                causes.add(new ApiException.Cause("FieldValueRequired", at + ".name", "Required value"));
            }
            if (container.path("image").asText("").isEmpty()) {
                causes.add(new ApiException.Cause("FieldValueRequired", at + ".image", "Required value"));
            }
        }
    }
}
