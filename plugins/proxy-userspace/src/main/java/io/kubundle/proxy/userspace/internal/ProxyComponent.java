package io.kubundle.proxy.userspace.internal;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.KubeClient;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The userspace service proxy of this process's node while the bundle is active: Netty listeners
 * on every Service's cluster IP (put on a link of its own) and node ports, fed by informers on
 * Services and EndpointSlices ({@link ClusterFeed}). Deactivation (stop, update, swap, uninstall,
 * configuration change) closes every listener and proxied connection and deletes the link with
 * its addresses. Not to be run beside {@code proxy-iptables} in one network namespace: swap them.
 */
@Component(configurationPid = ProxyConfig.PID, immediate = true, service = {})
@Designate(ocd = ProxyConfig.class)
public final class ProxyComponent {
    /** New connections stopped for this long: the next proxy has taken the traffic (or there is none). */
    static final long HANDOVER_QUIET_MILLIS = 300;
    private static final System.Logger LOG = System.getLogger(ProxyComponent.class.getName());

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private EventLoopGroup group;
    private UserspaceProxy proxy;
    private ControllerHost host;
    private long handoverMillis;

    /** The framework property {@code --node-name} sets (the kubelet's name for this node). */
    static final String NODE_NAME_PROPERTY = "kubundle.kubelet.node-name";

    @Activate
    void activate(BundleContext context, ProxyConfig config) {
        String nodeName = nodeName(config.nodeName(), context.getProperty(NODE_NAME_PROPERTY));
        group = new MultiThreadIoEventLoopGroup(Math.max(1, config.ioThreads()), new DefaultThreadFactory("proxy-userspace", true),
                NioIoHandler.newFactory());
        proxy = new UserspaceProxy(group, new ServiceLink(config.linkName().strip()), config.bindNodePorts(),
                Math.max(100, config.udpIdleMillis()));
        UserspaceProxy serving = proxy;
        java.util.concurrent.CountDownLatch firstSync = new java.util.concurrent.CountDownLatch(1);
        host = new ControllerHost("proxy-userspace", () -> new ClusterFeed(new KubeClient(transport), serving, nodeName, firstSync));
        handoverMillis = Math.max(0, config.handoverMaxMillis());
        // a swap uninstalls the proxy before this one once this component is active: be serving by then
        try {
            if (!firstSync.await(Math.max(0, config.firstSyncWaitMillis()), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "proxy-userspace: not serving yet after {0} ms (API server not reached?);"
                        + " services are proxied from the first sync on", config.firstSyncWaitMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The configured name, else the one given on the command line, else the host's name in lower case (as the kubelet's default). */
    static String nodeName(String configured, String fromCommandLine) {
        for (String given : new String[] {configured, fromCommandLine}) {
            if (given != null && !given.isBlank()) {
                return given.strip();
            }
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            LOG.log(System.Logger.Level.WARNING, "proxy-userspace: no node name (set nodeName): no endpoint counts as local");
            return "";
        }
    }

    @Deactivate
    void deactivate() {
        host.close();
        try {
            long waited = proxy.awaitQuiet(HANDOVER_QUIET_MILLIS, handoverMillis);
            LOG.log(System.Logger.Level.DEBUG, "proxy-userspace: handed over after {0} ms", waited);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        proxy.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
