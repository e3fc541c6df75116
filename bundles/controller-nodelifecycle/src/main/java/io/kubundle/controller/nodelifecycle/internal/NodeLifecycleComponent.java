package io.kubundle.controller.nodelifecycle.internal;

import java.time.Clock;
import java.time.Duration;

import org.osgi.framework.BundleContext;
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
 * Runs the node lifecycle controller while the bundle is active. The grace period is the
 * {@code --node-monitor-grace-period} flag of {@code kubundle master} and {@code up} (the framework
 * property {@value #GRACE_PROPERTY}) when given, else this configuration's, else 40 s.
 */
@Component(configurationPid = "io.kubundle.controller.nodelifecycle", immediate = true, service = {})
@Designate(ocd = NodeLifecycleComponent.Config.class)
public final class NodeLifecycleComponent {
    static final String GRACE_PROPERTY = "kubundle.node-monitor-grace-period";

    @ObjectClassDefinition(name = "Kubundle node lifecycle controller")
    public @interface Config {
        @AttributeDefinition(description = "How long a node may go without a heartbeat before it is Unknown (Go syntax: 40s, 1m);"
                + " the --node-monitor-grace-period flag wins over it")
        String nodeMonitorGracePeriod() default "40s";

        @AttributeDefinition(description = "Worker threads")
        int workers() default 2;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config, BundleContext context) {
        Duration grace = gracePeriod(context.getProperty(GRACE_PROPERTY), config.nodeMonitorGracePeriod());
        host = new ControllerHost("node-lifecycle",
                () -> new NodeLifecycleController(new KubeClient(transport), grace, config.workers(), Clock.systemUTC()));
    }

    /** The flag's value if set, else the configured one. */
    static Duration gracePeriod(String flag, String configured) {
        return GoDuration.parse(flag == null || flag.isBlank() ? configured : flag);
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
