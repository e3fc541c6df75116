package io.kubundle.controller.volume.internal;

import java.nio.file.Path;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.KubeClient;

/**
 * Runs the PV controller and the local-path provisioner while the bundle is active, through
 * {@link ControllerHost}: a new instance (after a swap) relists claims and volumes and carries on
 * from what is stored, binding nothing twice.
 */
@Component(configurationPid = "io.kubundle.controller.volume", immediate = true, service = {})
@Designate(ocd = VolumeComponent.Config.class)
public final class VolumeComponent {
    @ObjectClassDefinition(name = "Kubundle volume controller")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads syncing claims and volumes")
        int workers() default 2;

        @AttributeDefinition(description = "Where local-path volumes live on their node (default: <kubundle.data.dir>/storage)")
        String storageDir() default "";
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(BundleContext context, Config config) {
        String dataDir = context.getProperty("kubundle.data.dir");
        Path storage = !config.storageDir().isEmpty() ? Path.of(config.storageDir())
                : Path.of(dataDir == null ? System.getProperty("user.home") + "/.kubundle" : dataDir, "storage");
        LocalPath localPath = new LocalPath(storage);
        host = new ControllerHost("volume-controller", () -> new VolumeController(new KubeClient(transport), localPath, config.workers()));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
