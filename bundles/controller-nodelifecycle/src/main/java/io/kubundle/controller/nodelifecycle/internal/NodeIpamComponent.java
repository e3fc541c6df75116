package io.kubundle.controller.nodelifecycle.internal;

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

/** Runs node IPAM (a pod CIDR per node) while the bundle is active, unless {@code allocateNodeCidrs} is false. */
@Component(configurationPid = "io.kubundle.controller.nodeipam", immediate = true, service = {})
@Designate(ocd = NodeIpamComponent.Config.class)
public final class NodeIpamComponent {
    @ObjectClassDefinition(name = "Kubundle node IPAM controller")
    public @interface Config {
        @AttributeDefinition(description = "Give each node a pod CIDR (kube-controller-manager's --allocate-node-cidrs)")
        boolean allocateNodeCidrs() default true;

        @AttributeDefinition(description = "The IPv4 range pods' addresses come from (--cluster-cidr)")
        String clusterCidr() default "10.244.0.0/16";

        @AttributeDefinition(description = "The prefix length of each node's block (--node-cidr-mask-size)")
        int nodeCidrMaskSize() default 24;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        if (config.allocateNodeCidrs()) {
            // fails here, at activation, on a range that does not parse
            new CidrAllocator(config.clusterCidr(), config.nodeCidrMaskSize());
            // each start (a retry, a new instance) marks the held blocks afresh from its own list
            host = new ControllerHost("node-ipam", () -> new NodeIpamController(new KubeClient(transport),
                    new CidrAllocator(config.clusterCidr(), config.nodeCidrMaskSize())));
        }
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            host.close();
        }
    }
}
