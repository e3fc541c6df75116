package io.kubundle.proxy.nftables.internal;

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
import io.kubundle.proxy.support.HostCommands;
import io.kubundle.proxy.support.Ownership;
import io.kubundle.proxy.support.ProxyOptions;

/**
 * The nftables service proxy of this process's node, while the bundle is active. It needs
 * {@code nft} and nf_tables (else it logs why and does nothing, leaving the node to another
 * proxy); it sets the host up ({@code br_netfilter}, {@code bridge-nf-call-iptables},
 * {@code route_localnet} for node ports on 127.0.0.1), waits for its informers, then keeps its
 * table in sync. Deactivation (bundle stop, update, swap, uninstall, configuration change)
 * deletes the table, unless {@code cleanupOnStop} is false.
 *
 * <p>Configuration ({@code etc/io.kubundle.proxy.nftables.cfg}, all optional): the keys of
 * {@link ProxyOptions}, and {@code table} ({@code kubundle-proxy}; another lets a second proxy run
 * beside one in the same network namespace).
 */
@Component(configurationPid = ProxyComponent.PID, immediate = true, service = {})
public final class ProxyComponent {
    static final String PID = "io.kubundle.proxy.nftables";
    /** The default table. */
    static final String TABLE = "kubundle-proxy";
    private static final System.Logger LOG = System.getLogger(ProxyComponent.class.getName());

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        ProxyOptions options = ProxyOptions.from(properties, context.getProperty("kubundle.kubelet.node-name"));
        NftGenerator.Settings settings = new NftGenerator.Settings(ProxyOptions.string(properties, "table", TABLE),
                options.masqueradeBit(), options.clusterCidr(), options.masqueradeAll(), options.nodePortCidrs(),
                options.localhostNodePorts());
        Nft nft = new Nft(HostCommands.host());
        if (!nft.available()) {
            LOG.log(System.Logger.Level.WARNING, "proxy-nftables: nft does not run here (not installed, or no nf_tables):"
                    + " services are not proxied by it");
            return;
        }
        nft.commands().prepareNode("proxy-nftables", options.localhostNodePorts());
        Path lockFile = Ownership.defaultFile("proxy-nftables", settings.table());
        host = ClusterWatch.host("proxy-nftables", transport, options.nodeName(),
                source -> new NftProxier(nft, settings, source, new Ownership(lockFile), options.minSyncInterval(),
                        options.fullSyncPeriod(), options.cleanupOnStop()), options.firstSyncWait());
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            host.close();
        }
    }
}
