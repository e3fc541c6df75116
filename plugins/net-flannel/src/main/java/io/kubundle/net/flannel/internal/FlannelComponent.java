package io.kubundle.net.flannel.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.KubeClient;

/**
 * Runs the overlay daemon while {@code etc/io.kubundle.net.flannel.cfg} exists; without it this
 * bundle does nothing, so a single-machine {@code kubundle up} is untouched. Deactivation (a
 * bundle update or stop, the file removed) stops the daemon and leaves the VTEP and its entries in
 * place, so pods keep reaching other nodes while the plugin is away; the next instance adopts them.
 */
@Component(configurationPid = FlannelComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {})
@Designate(ocd = FlannelConfig.class)
public final class FlannelComponent {
    static final String PID = "io.kubundle.net.flannel";
    static final String NODE_NAME_PROPERTY = "kubundle.kubelet.node-name";
    static final String NODE_IP_PROPERTY = "kubundle.kubelet.node-ip";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(BundleContext context, FlannelConfig config) throws IOException {
        String nodeName = first(config.nodeName(), context.getProperty(NODE_NAME_PROPERTY));
        if (nodeName.isEmpty()) {
            nodeName = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        }
        FlannelDaemon.Settings settings = new FlannelDaemon.Settings(nodeName, first(config.nodeIp(),
                context.getProperty(NODE_IP_PROPERTY)), config.vni(), Duration.ofSeconds(Math.max(1, config.resyncSeconds())));
        Vtep vtep = new Vtep(Shell.here(COMMAND_TIMEOUT), config.device(), config.vni(), config.port(), config.mtu());
        host = new ControllerHost("net-flannel", () -> new FlannelDaemon(new KubeClient(transport), settings, vtep));
    }

    @Deactivate
    void deactivate() {
        host.close();
    }

    private static String first(String configured, String fallback) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        return fallback == null ? "" : fallback.strip();
    }
}
