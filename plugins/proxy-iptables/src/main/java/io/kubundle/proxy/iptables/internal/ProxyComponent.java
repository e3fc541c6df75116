package io.kubundle.proxy.iptables.internal;

import java.nio.file.Path;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.proxy.support.ClusterWatch;
import io.kubundle.proxy.support.Ownership;
import io.kubundle.proxy.support.ProxyOptions;

/**
 * The iptables service proxy of this process's node, while the bundle is active. It needs
 * {@code iptables-restore} (else it logs why and does nothing, leaving the node to another proxy);
 * it sets the host up ({@code br_netfilter}, {@code bridge-nf-call-iptables},
 * {@code route_localnet} for node ports on 127.0.0.1), waits for its informers, then keeps the
 * rules in sync. Deactivation (bundle stop, update, swap, uninstall, configuration change)
 * removes every chain and jump it made, unless {@code cleanupOnStop} is false.
 *
 * <p>Configuration ({@code etc/io.kubundle.proxy.iptables.cfg}, all optional): the keys of
 * {@link ProxyOptions}, and {@code chainPrefix} ({@code KUBE}: kube-proxy's names; another lets a
 * second proxy run beside one in the same network namespace) and {@code iptablesFamily} (empty for
 * the host's default {@code iptables-restore}, {@code nft} or {@code legacy}).
 */
@Component(configurationPid = ProxyComponent.PID, immediate = true, service = {})
public final class ProxyComponent {
    static final String PID = "io.kubundle.proxy.iptables";
    private static final System.Logger LOG = System.getLogger(ProxyComponent.class.getName());

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        ProxyOptions options = ProxyOptions.from(properties, context.getProperty("kubundle.kubelet.node-name"));
        Iptables iptables = Iptables.host(ProxyOptions.string(properties, "iptablesFamily", ""));
        if (!iptables.available()) {
            LOG.log(System.Logger.Level.WARNING, "proxy-iptables: no iptables-restore on this host: services are not proxied by it");
            return;
        }
        RuleGenerator.Settings settings = new RuleGenerator.Settings(ProxyOptions.string(properties, "chainPrefix", "KUBE"),
                options.masqueradeBit(), options.clusterCidr(), options.masqueradeAll(), options.nodePortCidrs(),
                options.localhostNodePorts());
        new ChainNames(settings.prefix()); // a bad prefix fails the activation, with the reason
        iptables.commands().prepareNode("proxy-iptables", options.localhostNodePorts());
        Path lockFile = Ownership.defaultFile("proxy-iptables", settings.prefix());
        host = ClusterWatch.host("proxy-iptables", transport, options.nodeName(),
                source -> new Proxier(iptables, settings, source, new Ownership(lockFile), options.minSyncInterval(),
                        options.fullSyncPeriod(), options.cleanupOnStop()), options.firstSyncWait());
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            host.close();
        }
    }
}
