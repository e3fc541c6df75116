package io.kubundle.controller.gc.internal;

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
 * Runs the garbage collector while the bundle is active, through {@link ControllerHost}: a new
 * instance (after a swap) rebuilds the owner graph from fresh lists, so nothing is missed while
 * none ran.
 */
@Component(configurationPid = "io.kubundle.controller.gc", immediate = true, service = {})
@Designate(ocd = GarbageCollectorComponent.Config.class)
public final class GarbageCollectorComponent {
    @ObjectClassDefinition(name = "Kubundle garbage collector")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads deleting and updating objects")
        int workers() default 2;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        host = new ControllerHost("garbage-collector", () -> new GarbageCollector(new KubeClient(transport), config.workers()));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
