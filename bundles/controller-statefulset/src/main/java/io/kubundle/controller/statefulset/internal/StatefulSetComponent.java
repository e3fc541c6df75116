package io.kubundle.controller.statefulset.internal;

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
 * Runs the StatefulSet controller while the bundle is active, through {@link ControllerHost}: a new
 * instance (after a swap) starts from fresh lists and carries on where the last one stopped.
 */
@Component(configurationPid = "io.kubundle.controller.statefulset", immediate = true, service = {})
@Designate(ocd = StatefulSetComponent.Config.class)
public final class StatefulSetComponent {
    @ObjectClassDefinition(name = "Kubundle StatefulSet controller")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads reconciling StatefulSets")
        int workers() default 2;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        host = new ControllerHost("statefulset-controller", () -> new StatefulSetController(new KubeClient(transport), config.workers()));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
