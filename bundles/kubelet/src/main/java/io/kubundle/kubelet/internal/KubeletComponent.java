package io.kubundle.kubelet.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.kubundle.api.auth.ClusterCertificates;
import io.kubundle.api.dns.ClusterDns;
import io.kubundle.api.network.PodNetwork;
import io.kubundle.api.runtime.ContainerRuntime;
import io.kubundle.api.runtime.ImageService;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.api.volume.VolumePlugin;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.KubeClient;

/**
 * The kubelet of this process's node. Runtime, network, image and volume plugins are taken as they
 * come and go ({@code MULTIPLE, DYNAMIC, GREEDY}): pods keep running through a swap, existing pods
 * stay with the runtime that made them and new ones go to the configured one. Settings come from
 * {@code etc/io.kubundle.kubelet.cfg}; a blank one falls back to the process's command line
 * ({@code --node-name}, {@code --node-ip}, {@code --node-labels}, ... as framework properties
 * {@code kubundle.kubelet.*}; labels and taints as JSON),
 * then to what the host says.
 */
@Component(configurationPid = KubeletComponent.PID, immediate = true, service = {})
@Designate(ocd = KubeletComponent.Config.class)
public final class KubeletComponent {
    static final String PID = "io.kubundle.kubelet";

    @ObjectClassDefinition(name = "Kubundle kubelet")
    public @interface Config {
        @AttributeDefinition(description = "The Node's name (default: --node-name, else the host name)")
        String nodeName() default "";

        @AttributeDefinition(description = "The Node's InternalIP (default: --node-ip, else the default route's interface address)")
        String nodeIp() default "";

        @AttributeDefinition(description = "Runtime for new pods: auto (runc if available, else native), runc, native, ...")
        String runtime() default "";

        @AttributeDefinition(description = "Network plugin for new pods")
        String network() default "bridge";

        @AttributeDefinition(description = "Port of the kubelet's HTTPS endpoint (logs, exec); 0 picks a free one")
        int port() default -1;

        @AttributeDefinition(description = "Address the endpoint listens on")
        String bindAddress() default "0.0.0.0";

        @AttributeDefinition(description = "The kubelet's state directory (default: DATA_DIR/kubelet)")
        String rootDir() default "";

        @AttributeDefinition(description = "Container log directory (default: DATA_DIR/logs/pods)")
        String logDir() default "";

        @AttributeDefinition(description = "Cgroup every pod's cgroup goes under")
        String cgroupParent() default "kubundle";

        @AttributeDefinition(description = "The cluster's pod network, handed to the network plugin")
        String clusterCidr() default "10.244.0.0/16";

        @AttributeDefinition(description = "Most pods on this node")
        int maxPods() default 110;

        @AttributeDefinition(description = "Seconds between Lease renewals and status checks (the kubelet's default is 10)")
        int heartbeatSeconds() default 10;

        @AttributeDefinition(description = "A container's log is rotated when it grows over this size (the kubelet's containerLogMaxSize)")
        String containerLogMaxSize() default "10Mi";

        @AttributeDefinition(description = "Files a container's log may have, the live one included (containerLogMaxFiles)")
        int containerLogMaxFiles() default 5;

        @AttributeDefinition(description = "Seconds after which a pod is looked at again though nothing changed")
        int resyncSeconds() default 10;

        @AttributeDefinition(description = "PEM certificate chain the endpoint serves (default: --tls-cert-file, else one the"
                + " cluster CA issues when it is in this process)")
        String tlsCertFile() default "";

        @AttributeDefinition(description = "PKCS#8 PEM key of tlsCertFile (default: --tls-private-key-file)")
        String tlsPrivateKeyFile() default "";

        @AttributeDefinition(description = "PEM CA whose client certificates the endpoint accepts (default: --client-ca-file)")
        String clientCaFile() default "";
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    private ClusterCertificates certificates;

    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() { };
    private static final TypeReference<List<Taint>> TAINTS = new TypeReference<>() { };

    private final Plugins plugins = new Plugins();
    private ControllerHost host;
    private volatile Kubelet kubelet;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addRuntime(ContainerRuntime runtime) {
        plugins.addRuntime(runtime);
        resync();
    }

    void removeRuntime(ContainerRuntime runtime) {
        plugins.removeRuntime(runtime);
        resync();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addNetwork(PodNetwork network) {
        plugins.addNetwork(network);
        resync();
    }

    void removeNetwork(PodNetwork network) {
        plugins.removeNetwork(network);
        resync();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addVolumes(VolumePlugin plugin, Map<String, Object> properties) {
        plugins.addVolumes(plugin, types(properties.get(VolumePlugin.TYPES_PROPERTY)));
        resync();
    }

    void removeVolumes(VolumePlugin plugin) {
        plugins.removeVolumes(plugin);
    }

    /** A service property's values: one string, an array or a collection of them. */
    private static Set<String> types(Object value) {
        if (value instanceof String[] array) {
            return Set.copyOf(Arrays.asList(array));
        }
        if (value instanceof Collection<?> collection) {
            return collection.stream().map(String::valueOf).collect(Collectors.toSet());
        }
        return value == null ? Set.of() : Set.of(value.toString());
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setImages(ImageService images) {
        plugins.setImages(images);
        resync();
    }

    void unsetImages(ImageService images) {
        plugins.unsetImages(images);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void setClusterDns(ClusterDns dns) {
        plugins.setClusterDns(dns);
    }

    void unsetClusterDns(ClusterDns dns) {
        plugins.unsetClusterDns(dns);
    }

    private void resync() {
        Kubelet current = kubelet;
        if (current != null) {
            current.resyncAll();
        }
    }

    @Activate
    void activate(BundleContext context, Config config) throws IOException {
        Path dataDir = Path.of(property(context, "kubundle.data.dir", System.getProperty("user.home") + "/.kubundle"));
        String nodeName = first(config.nodeName(), property(context, "kubundle.kubelet.node-name", ""));
        HostFacts facts = HostFacts.read(dataDir);
        if (nodeName.isEmpty()) {
            nodeName = facts.hostname();
        }
        String nodeIp = first(config.nodeIp(), property(context, "kubundle.kubelet.node-ip", ""));
        if (nodeIp.isEmpty()) {
            nodeIp = HostFacts.primaryIpv4();
        }
        int port = config.port() >= 0 ? config.port() : Integer.parseInt(property(context, "kubundle.kubelet.port", "10250"));
        plugins.configure(first(config.runtime(), property(context, "kubundle.kubelet.runtime", "auto")), config.network());
        NodeSettings settings = new NodeSettings(nodeName, nodeIp,
                Path.of(first(config.rootDir(), dataDir.resolve("kubelet").toString())),
                Path.of(first(config.logDir(), dataDir.resolve("logs").resolve("pods").toString())),
                config.cgroupParent(), config.clusterCidr(), Duration.ofSeconds(Math.max(1, config.resyncSeconds())));
        NodeAgent.Registration registration = new NodeAgent.Registration(
                json(property(context, "kubundle.kubelet.labels", "{}"), LABELS),
                json(property(context, "kubundle.kubelet.taints", "[]"), TAINTS), config.maxPods(), port);
        ServingTls serving = servingTls(config, context, settings);
        LogRotation rotation = new LogRotation(PodVolumes.bytes(new Quantity(config.containerLogMaxSize())),
                config.containerLogMaxFiles());
        host = new ControllerHost("kubelet", () -> {
            Kubelet created = new Kubelet(new KubeClient(transport), settings, registration, plugins, serving, config.bindAddress(),
                    Duration.ofSeconds(Math.max(1, config.heartbeatSeconds())), rotation);
            kubelet = created;
            return created;
        });
    }

    @Deactivate
    void deactivate() {
        kubelet = null;
        host.close();
    }

    private ServingTls servingTls(Config config, BundleContext context, NodeSettings settings) throws IOException {
        String certificate = first(config.tlsCertFile(), property(context, "kubundle.kubelet.tls-cert-file", ""));
        if (!certificate.isEmpty()) {
            return ServingTls.fromFiles(Path.of(certificate),
                    Path.of(first(config.tlsPrivateKeyFile(), property(context, "kubundle.kubelet.tls-private-key-file", ""))),
                    Path.of(first(config.clientCaFile(), property(context, "kubundle.kubelet.client-ca-file", ""))));
        }
        return certificates == null ? null : ServingTls.issued(certificates, settings.nodeName(), settings.nodeIp());
    }

    private static String first(String configured, String fallback) {
        return configured == null || configured.isBlank() ? fallback : configured.strip();
    }

    private static String property(BundleContext context, String name, String fallback) {
        String value = context.getProperty(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static <T> T json(String text, TypeReference<T> type) {
        try {
            return new ObjectMapper().readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not " + type.getType() + ": " + text, e);
        }
    }
}
