package io.kubundle.proxy.userspace.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** PID {@code io.kubundle.proxy.userspace} ({@code etc/io.kubundle.proxy.userspace.cfg}); a change makes a new proxy instance. */
@ObjectClassDefinition(name = "Kubundle userspace service proxy")
public @interface ProxyConfig {
    String PID = "io.kubundle.proxy.userspace";

    @AttributeDefinition(description = "Link holding the cluster IPs (dummy, else an empty bridge), made at the first service and"
            + " deleted at deactivation: nothing else may use this name")
    String linkName() default "kubundle-svc";

    @AttributeDefinition(description = "This node's name: endpoints whose nodeName it is are the local ones of Services with a Local"
            + " traffic policy (default: --node-name, framework property kubundle.kubelet.node-name, else the host name)")
    String nodeName() default "";

    @AttributeDefinition(description = "A UDP client's session (its socket to the endpoint) closes after this many ms without traffic")
    long udpIdleMillis() default 30_000;

    @AttributeDefinition(description = "Also listen on 0.0.0.0:<nodePort> for NodePort and LoadBalancer Services")
    boolean bindNodePorts() default true;

    @AttributeDefinition(description = "Event loop threads shared by every listener and connection")
    int ioThreads() default 2;

    @AttributeDefinition(description = "Activation waits this long for the first sync (listeners bound), so that a swap removes the"
            + " previous proxy only once this one serves")
    long firstSyncWaitMillis() default 10_000;

    @AttributeDefinition(description = "Deactivation keeps serving until no new connection came for 300 ms, at most this long: in a"
            + " swap, until the next proxy takes the traffic")
    long handoverMaxMillis() default 5_000;
}
