package io.kubundle.controller.cronjob.internal;

import java.time.Clock;
import java.time.ZoneId;

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
 * Runs the CronJob controller while the bundle is active, through {@link ControllerHost}: a new
 * instance (after a swap) lists CronJobs and Jobs again; a time scheduled while none ran is
 * started late, within {@code startingDeadlineSeconds}, as Kubernetes does after a restart.
 */
@Component(configurationPid = "io.kubundle.controller.cronjob", immediate = true, service = {})
@Designate(ocd = CronJobComponent.Config.class)
public final class CronJobComponent {
    @ObjectClassDefinition(name = "Kubundle CronJob controller")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads reconciling CronJobs")
        int workers() default 1;

        @AttributeDefinition(description = "Zone of schedules without spec.timeZone (empty: the JVM's)")
        String defaultTimeZone() default "";
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        Clock clock = config.defaultTimeZone().isBlank() ? Clock.systemDefaultZone() : Clock.system(ZoneId.of(config.defaultTimeZone()));
        host = new ControllerHost("cronjob-controller", () -> new CronJobController(new KubeClient(transport), config.workers(), clock));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
