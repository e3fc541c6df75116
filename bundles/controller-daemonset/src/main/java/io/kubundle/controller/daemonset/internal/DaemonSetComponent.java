package io.kubundle.controller.daemonset.internal;

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
 * Runs the DaemonSet controller while the bundle is active, through {@link ControllerHost}: a new
 * instance (after a swap) starts from fresh lists and carries on where the last one stopped.
 */
@Component(configurationPid = "io.kubundle.controller.daemonset", immediate = true, service = {})
@Designate(ocd = DaemonSetComponent.Config.class)
public final class DaemonSetComponent {
    @ObjectClassDefinition(name = "Kubundle DaemonSet controller")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads reconciling DaemonSets")
        int workers() default 2;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        host = new ControllerHost("daemonset-controller", () -> new DaemonSetController(new KubeClient(transport), config.workers()));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
