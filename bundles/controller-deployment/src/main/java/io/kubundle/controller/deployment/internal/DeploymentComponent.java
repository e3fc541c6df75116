package io.kubundle.controller.deployment.internal;

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
 * Runs the Deployment controller while the bundle is active, through {@link ControllerHost}: a new
 * instance (after a swap) starts from fresh lists; ReplicaSet names are derived from the template,
 * so it finds what the old instance created instead of creating it again.
 */
@Component(configurationPid = "io.kubundle.controller.deployment", immediate = true, service = {})
@Designate(ocd = DeploymentComponent.Config.class)
public final class DeploymentComponent {
    @ObjectClassDefinition(name = "Kubundle Deployment controller")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads; one Deployment is only ever reconciled by one of them at a time")
        int workers() default 2;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        host = new ControllerHost("deployment-controller",
                () -> new DeploymentController(new KubeClient(transport), config.workers()));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
