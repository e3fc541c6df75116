package io.kubundle.net.flannel.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration PID {@code io.kubundle.net.flannel}: the overlay runs only when
 * {@code etc/io.kubundle.net.flannel.cfg} exists (it may be empty).
 */
@ObjectClassDefinition(name = "Kubundle flannel-style VXLAN overlay",
        description = "A VXLAN tunnel endpoint on this node, and routes, neighbour and FDB entries for every other node.")
@interface FlannelConfig {
    @AttributeDefinition(description = "This node's name (default: --node-name, framework property kubundle.kubelet.node-name, "
            + "else the host name)")
    String nodeName() default "";

    @AttributeDefinition(description = "This node's address, where the others send the encapsulated packets (default: "
            + "--node-ip, framework property kubundle.kubelet.node-ip, else the Node's InternalIP)")
    String nodeIp() default "";

    @AttributeDefinition(description = "The VXLAN network identifier; every node must use the same")
    int vni() default 1;

    @AttributeDefinition(description = "The UDP port of the VXLAN packets (flannel's and the Linux default: 8472)")
    int port() default 8472;

    @AttributeDefinition(description = "The VTEP device (at most 15 characters)")
    String device() default "flannel.1";

    @AttributeDefinition(description = "The VTEP's MTU; 0 for the node interface's MTU less 50 (the VXLAN headers)")
    int mtu() default 0;

    @AttributeDefinition(description = "Seconds between full reconciliations when nothing changes")
    int resyncSeconds() default 30;
}
