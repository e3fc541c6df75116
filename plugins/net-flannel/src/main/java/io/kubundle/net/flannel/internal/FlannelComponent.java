package io.kubundle.net.flannel.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
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
 *
 * <p>The configuration policy is {@code OPTIONAL}, not {@code REQUIRE}: an instance without
 * configuration (no {@code service.pid} among its properties) is active and idle. With
 * {@code REQUIRE} the component would sit in {@code UNSATISFIED_CONFIGURATION} on every node that
 * does not use the overlay, which the admin endpoint's health reports as a problem ("degraded").
 * Creating or deleting the configuration makes DS replace the instance, as {@code REQUIRE} would.
 */
@Component(configurationPid = FlannelComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {})
@Designate(ocd = FlannelConfig.class)
public final class FlannelComponent {
    static final String PID = "io.kubundle.net.flannel";
    static final String NODE_NAME_PROPERTY = "kubundle.kubelet.node-name";
    static final String NODE_IP_PROPERTY = "kubundle.kubelet.node-ip";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final System.Logger LOG = System.getLogger(FlannelComponent.class.getName());

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    /** The running daemon; null while there is no configuration. */
    private ControllerHost host;

    @Activate
    void activate(BundleContext context, FlannelConfig config, Map<String, Object> properties) throws IOException {
        if (!properties.containsKey(Constants.SERVICE_PID)) {
            LOG.log(System.Logger.Level.DEBUG, "no {0} configuration: the overlay is off", PID);
            return;
        }
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
        if (host != null) {
            host.close();
        }
    }

    private static String first(String configured, String fallback) {
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        return fallback == null ? "" : fallback.strip();
    }
}
