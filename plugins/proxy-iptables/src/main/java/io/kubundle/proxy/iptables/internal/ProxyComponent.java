package io.kubundle.proxy.iptables.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

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
import io.kubundle.proxy.support.ClusterWatch;
import io.kubundle.proxy.support.Ownership;

/**
 * The iptables service proxy of this process's node, while the bundle is active. It needs
 * {@code iptables-restore} (else it logs why and does nothing, leaving the node to another proxy);
 * it sets the host up ({@code br_netfilter}, {@code bridge-nf-call-iptables},
 * {@code route_localnet} for node ports on 127.0.0.1), waits for its informers, then keeps the
 * rules in sync. Deactivation (bundle stop, update, swap, uninstall, configuration change)
 * removes every chain and jump it made, unless {@code cleanupOnStop} is false.
 */
@Component(configurationPid = ProxyComponent.PID, immediate = true, service = {})
@Designate(ocd = ProxyComponent.Config.class)
public final class ProxyComponent {
    static final String PID = "io.kubundle.proxy.iptables";
    private static final System.Logger LOG = System.getLogger(ProxyComponent.class.getName());

    @ObjectClassDefinition(name = "Kubundle iptables service proxy")
    public @interface Config {
        @AttributeDefinition(description = "Chain prefix: KUBE gives kube-proxy's names (KUBE-SERVICES, KUBE-SVC-...); another lets a"
                + " second proxy run beside one in the same network namespace")
        String chainPrefix() default "KUBE";

        @AttributeDefinition(description = "The node whose endpoints are local (externalTrafficPolicy: Local) and whose pod CIDR is pod"
                + " traffic (default: --node-name, else the host name)")
        String nodeName() default "";

        @AttributeDefinition(description = "Traffic from this CIDR is pod traffic and not masqueraded to cluster IPs (default: the"
                + " Node's spec.podCIDR, as kube-proxy's --detect-local-mode=NodeCIDR)")
        String clusterCidr() default "";

        @AttributeDefinition(description = "Masquerade all traffic to cluster IPs (kube-proxy's --masquerade-all)")
        boolean masqueradeAll() default false;

        @AttributeDefinition(description = "Bit of the packet mark asking for masquerade (kube-proxy's --iptables-masquerade-bit)")
        int masqueradeBit() default 14;

        @AttributeDefinition(description = "CIDRs node ports answer on, comma-separated (default: every local address)")
        String nodePortAddresses() default "";

        @AttributeDefinition(description = "Node ports also answer on 127.0.0.1 (sets net.ipv4.conf.all.route_localnet=1)")
        boolean localhostNodePorts() default true;

        @AttributeDefinition(description = "Least milliseconds between two syncs; changes within it are coalesced into one sync")
        int minSyncMillis() default 100;

        @AttributeDefinition(description = "Minutes between full syncs (every chain rewritten, leftovers removed)")
        int fullSyncMinutes() default 60;

        @AttributeDefinition(description = "iptables binaries: empty for the host's default (iptables-restore), nft or legacy")
        String iptablesFamily() default "";

        @AttributeDefinition(description = "Remove every chain and jump at deactivation (a swap leaves no stale rules)")
        boolean cleanupOnStop() default true;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(BundleContext context, Config config) {
        Iptables iptables = Iptables.host(config.iptablesFamily().strip());
        if (!iptables.available()) {
            LOG.log(System.Logger.Level.WARNING, "proxy-iptables: no iptables-restore on this host: services are not proxied by it");
            return;
        }
        String nodeName = nodeName(context, config);
        RuleGenerator.Settings settings = new RuleGenerator.Settings(config.chainPrefix().strip(), config.masqueradeBit(),
                config.clusterCidr().strip(), config.masqueradeAll(), cidrs(config.nodePortAddresses()), config.localhostNodePorts());
        new ChainNames(settings.prefix()); // a bad prefix fails the activation, with the reason
        iptables.commands().prepareNode("proxy-iptables", config.localhostNodePorts());
        Path lockFile = Ownership.defaultFile("proxy-iptables", settings.prefix());
        host = new ControllerHost("proxy-iptables", () -> new ClusterWatch("proxy-iptables", new KubeClient(transport), nodeName,
                source -> new Proxier(iptables, settings, source, new Ownership(lockFile),
                        Duration.ofMillis(Math.max(0, config.minSyncMillis())),
                        Duration.ofMinutes(Math.max(1, config.fullSyncMinutes())), config.cleanupOnStop())));
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            host.close();
        }
    }

    static List<String> cidrs(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String nodeName(BundleContext context, Config config) {
        if (!config.nodeName().isBlank()) {
            return config.nodeName().strip();
        }
        String fromCommandLine = context.getProperty("kubundle.kubelet.node-name");
        if (fromCommandLine != null && !fromCommandLine.isBlank()) {
            return fromCommandLine.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "";
        }
    }
}
