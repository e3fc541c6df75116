package io.kubundle.runtime.sim.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Taint;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ControllerHost;

/**
 * Runs the simulated nodes of a {@code kubundle sim-nodes} process. How many, their names and
 * what they register with come from the command line (framework properties
 * {@code kubundle.sim.count}, {@code kubundle.sim.prefix}, {@code kubundle.sim.labels}: a JSON
 * object, {@code kubundle.sim.taints}: a JSON array of taints); which are stopped comes from {@code etc/io.kubundle.runtime.sim.cfg}
 * ({@code stopped = sim-3, sim-7}), which is read live: edit it to fail a node and bring it back.
 */
@Component(configurationPid = SimulatedNodesComponent.PID, immediate = true, service = {})
@Designate(ocd = SimulatedNodesComponent.Config.class)
public final class SimulatedNodesComponent {
    static final String PID = "io.kubundle.runtime.sim";

    @ObjectClassDefinition(name = "Kubundle simulated nodes")
    public @interface Config {
        @AttributeDefinition(description = "Nodes that are down: no heartbeat, no pod reports (comma-separated names)")
        String stopped() default "";

        @AttributeDefinition(description = "Seconds between Lease renewals (the kubelet's default is 10)")
        int leaseRenewSeconds() default 10;

        @AttributeDefinition(description = "CPU capacity of each node")
        String cpu() default "32";

        @AttributeDefinition(description = "Memory capacity of each node")
        String memory() default "256Gi";

        @AttributeDefinition(description = "Most pods per node")
        int maxPods() default 110;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() { };
    private static final TypeReference<List<Taint>> TAINTS = new TypeReference<>() { };

    private ControllerHost host;
    private volatile SimulatedNodes nodes;

    @Activate
    void activate(BundleContext context, Config config) {
        String prefix = property(context, "kubundle.sim.prefix", "sim");
        int count = Integer.parseInt(property(context, "kubundle.sim.count", "0"));
        SimulatedNodes.Settings settings = new SimulatedNodes.Settings(prefix, count, config.leaseRenewSeconds(), config.cpu(),
                config.memory(), config.maxPods(), json(property(context, "kubundle.sim.labels", "{}"), LABELS),
                json(property(context, "kubundle.sim.taints", "[]"), TAINTS));
        host = new ControllerHost("sim-nodes", () -> {
            SimulatedNodes created = new SimulatedNodes(new KubeClient(transport), settings, stopped(config));
            nodes = created;
            return created;
        });
    }

    @Modified
    void modified(Config config) {
        SimulatedNodes current = nodes;
        if (current != null) {
            current.setStopped(stopped(config));
        }
    }

    private static Set<String> stopped(Config config) {
        return Arrays.stream(config.stopped().split(",")).map(String::strip).filter(name -> !name.isEmpty()).collect(Collectors.toSet());
    }

    private static <T> T json(String text, TypeReference<T> type) {
        try {
            return new ObjectMapper().readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not " + type.getType() + ": " + text, e);
        }
    }

    private static String property(BundleContext context, String name, String fallback) {
        String value = context.getProperty(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    @Deactivate
    void deactivate() {
        host.close();
    }
}
