package io.kubundle.controller.job.internal;

import java.time.Duration;

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
 * Runs the Job controller while the bundle is active, through {@link ControllerHost}: a new
 * instance (after a swap) starts from fresh lists of Jobs and pods, so it neither duplicates nor
 * loses pods.
 */
@Component(configurationPid = "io.kubundle.controller.job", immediate = true, service = {})
@Designate(ocd = JobComponent.Config.class)
public final class JobComponent {
    @ObjectClassDefinition(name = "Kubundle Job controller")
    public @interface Config {
        @AttributeDefinition(description = "Worker threads reconciling Jobs")
        int workers() default 2;

        @AttributeDefinition(description = "Delay before replacing a failed pod, doubled at each further failure (Kubernetes: 10)")
        int podFailureBackoffSeconds() default 10;

        @AttributeDefinition(description = "Cap of that delay (Kubernetes: 360)")
        int podFailureBackoffMaxSeconds() default 360;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        Backoff backoff = new Backoff(Duration.ofSeconds(config.podFailureBackoffSeconds()),
                Duration.ofSeconds(config.podFailureBackoffMaxSeconds()));
        host = new ControllerHost("job-controller", () -> new JobController(new KubeClient(transport), config.workers(), backoff));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
