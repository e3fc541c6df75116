package io.kubundle.net.bridge.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code io.kubundle.net.bridge}: put it in {@code etc/io.kubundle.net.bridge.cfg}. */
@ObjectClassDefinition(name = "Kubundle bridge network",
        description = "Pods on a Linux bridge, each with a veth pair and an address from the node's pod CIDR.")
@interface BridgeConfig {
    @AttributeDefinition(description = "The bridge pods are attached to (at most 15 characters); "
            + "changing it strands the pods on the old one.")
    String bridge() default "kubundle0";

    @AttributeDefinition(description = "MTU of the bridge (when this plugin makes it) and of each pod's interfaces.")
    int mtu() default 1500;

    @AttributeDefinition(description = "Where the addresses given out are kept; empty for <kubundle.data.dir>/network/bridge.")
    String stateDir() default "";

    @AttributeDefinition(description = "Masquerade traffic from pods to outside the cluster CIDR.")
    boolean masquerade() default true;
}
