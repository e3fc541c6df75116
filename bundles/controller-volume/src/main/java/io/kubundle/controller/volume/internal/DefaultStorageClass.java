package io.kubundle.controller.volume.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.kubundle.api.admission.AdmissionRequest;
import io.kubundle.api.admission.MutatingAdmission;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.Informer;
import io.kubundle.client.kube.KubeClient;

/**
 * Kubernetes' DefaultStorageClass admission plugin: a claim created without a class (no
 * {@code storageClassName}, no beta annotation; {@code ""} is a class, "none") gets the default
 * one. Classes are read from an informer's cache, never from the API server on the request's
 * thread; until it has synced, claims pass unchanged and the PV controller gives them the default
 * class afterwards (Kubernetes' retroactive default StorageClass assignment).
 */
@Component(service = MutatingAdmission.class, property = MutatingAdmission.NAME_PROPERTY + "=DefaultStorageClass")
public final class DefaultStorageClass implements MutatingAdmission {
    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private volatile Informer<ObjectNode> classes;
    private ControllerHost host;

    @Activate
    void activate() {
        host = new ControllerHost("default-storage-class", () -> new ControllerHost.Controller() {
            private final Informer<ObjectNode> informer = new Informer<>(new KubeClient(transport).resources(StorageClasses.KIND),
                    Duration.ZERO);

            @Override
            public void start() throws Exception {
                informer.start();
                if (!informer.awaitSynced(Duration.ofSeconds(30))) {
                    throw new IllegalStateException("storage classes did not sync");
                }
                classes = informer;
            }

            @Override
            public void close() {
                informer.close();
            }
        });
    }

    @Deactivate
    void deactivate() {
        host.close();
    }

    @Override
    public void admit(AdmissionRequest request) {
        Informer<ObjectNode> cache = classes;
        if (cache != null) {
            admit(request, cache.list());
        }
    }

    /** Gives a claim being created without a class the default one of {@code classes}, if any. */
    static void admit(AdmissionRequest request, Collection<ObjectNode> classes) {
        if (request.operation() != AdmissionRequest.Operation.CREATE || !request.kind().equals("PersistentVolumeClaim")
                || !request.apiVersion().equals("v1")) {
            return;
        }
        if (request.object().get("metadata") instanceof Map<?, ?> metadata && metadata.get("annotations") instanceof Map<?, ?> annotations
                && annotations.get(Binder.BETA_STORAGE_CLASS) != null) {
            return;
        }
        if (!(request.object().get("spec") instanceof Map<?, ?> rawSpec) || rawSpec.get("storageClassName") != null) {
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) rawSpec;
        StorageClasses.defaultClass(classes).ifPresent(name -> spec.put("storageClassName", name));
    }
}
