package io.kubundle.controller.volume.internal;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.client.kube.ResourceKind;

/**
 * StorageClasses, read as JSON trees (the model classes of {@code storage.k8s.io} are not among
 * those controller-support embeds): the default one, the binding mode, and the {@code local-path}
 * class this bundle provides.
 */
final class StorageClasses {
    static final ResourceKind<ObjectNode> KIND = ResourceKind.of("storage.k8s.io/v1", "StorageClass", "storageclasses", false,
            ObjectNode.class);
    static final String LOCAL_PATH = "local-path";
    static final String PROVISIONER = "kubundle.io/local-path";
    static final String IS_DEFAULT = "storageclass.kubernetes.io/is-default-class";
    static final String BETA_IS_DEFAULT = "storageclass.beta.kubernetes.io/is-default-class";

    private StorageClasses() {
    }

    /**
     * The default class, as Kubernetes' DefaultStorageClass admission picks it: annotated
     * {@code is-default-class: "true"}; of several, the newest, then the first by name.
     */
    static Optional<String> defaultClass(Collection<ObjectNode> classes) {
        return classes.stream().filter(StorageClasses::isDefault)
                .max(Comparator.comparing((ObjectNode c) -> c.path("metadata").path("creationTimestamp").asText(""))
                        .thenComparing(c -> c.path("metadata").path("name").asText(""), Comparator.reverseOrder()))
                .map(c -> c.path("metadata").path("name").asText());
    }

    private static boolean isDefault(JsonNode storageClass) {
        JsonNode annotations = storageClass.path("metadata").path("annotations");
        return "true".equals(annotations.path(IS_DEFAULT).asText()) || "true".equals(annotations.path(BETA_IS_DEFAULT).asText());
    }

    static Binder.Mode mode(ObjectNode storageClass) {
        return storageClass != null && "WaitForFirstConsumer".equals(storageClass.path("volumeBindingMode").asText())
                ? Binder.Mode.WAIT_FOR_FIRST_CONSUMER : Binder.Mode.IMMEDIATE;
    }

    /** The class's {@code reclaimPolicy}, Delete when unset (Kubernetes' default for provisioned volumes). */
    static String reclaimPolicy(ObjectNode storageClass) {
        String policy = storageClass.path("reclaimPolicy").asText("");
        return policy.isEmpty() ? "Delete" : policy;
    }

    /** The {@code local-path} class: the default, provisioned by this bundle on the node of the claim's first pod. */
    static ObjectNode localPath() {
        ObjectNode storageClass = JsonNodeFactory.instance.objectNode();
        storageClass.put("apiVersion", KIND.apiVersion()).put("kind", KIND.kind());
        ObjectNode metadata = storageClass.putObject("metadata").put("name", LOCAL_PATH);
        metadata.putObject("annotations").put(IS_DEFAULT, "true");
        storageClass.put("provisioner", PROVISIONER).put("reclaimPolicy", "Delete").put("volumeBindingMode", "WaitForFirstConsumer");
        return storageClass;
    }
}
