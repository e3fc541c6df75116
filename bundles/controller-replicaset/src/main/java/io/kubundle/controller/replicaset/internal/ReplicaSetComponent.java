package io.kubundle.controller.replicaset.internal;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ControllerHost;

/**
 * Runs the ReplicaSet controller while the bundle is active, through {@link ControllerHost}: a new
 * instance (after a swap) starts from fresh lists and empty expectations, so it neither duplicates
 * nor loses pods.
 */
@Component(configurationPid = "io.kubundle.controller.replicaset", immediate = true, service = {})
@Designate(ocd = ReplicaSetComponent.Config.class)
public final class ReplicaSetComponent {
    @ObjectClassDefinition(name = "Kubundle ReplicaSet controller")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads; one ReplicaSet is only ever reconciled by one of them at a time")
        int workers() default 2;

        @AttributeDefinition(description = "Most pods created or deleted for one ReplicaSet in one sync (Kubernetes' burstReplicas)")
        int burstReplicas() default 500;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        host = new ControllerHost("replicaset-controller",
                () -> new ReplicaSetController(new KubeClient(transport), config.workers(), config.burstReplicas()));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
