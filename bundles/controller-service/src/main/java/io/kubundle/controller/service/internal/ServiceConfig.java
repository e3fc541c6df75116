package io.kubundle.controller.service.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/io.kubundle.controller.service.cfg}: read by the allocation hook and the controller alike. */
@ObjectClassDefinition(name = "Kubundle service controller")
public @interface ServiceConfig {
    String PID = "io.kubundle.controller.service";

    @AttributeDefinition(description = "The range ClusterIPs are allocated from (kube-apiserver's --service-cluster-ip-range)")
    String serviceClusterIpRange() default "10.96.0.0/12";

    @AttributeDefinition(description = "The range node ports are allocated from (kube-apiserver's --service-node-port-range)")
    String serviceNodePortRange() default "30000-32767";

    @AttributeDefinition(description = "The load balancer provider to use, by its name property; empty: the one of highest service.ranking")
    String loadBalancerProvider() default "";

    @AttributeDefinition(description = "Keep the kubernetes Service in default (the first address of the range) and its Endpoints (the API server)")
    boolean kubernetesService() default true;

    @AttributeDefinition(description = "The API server's address for the kubernetes Service's endpoints; empty: the first non-loopback IPv4 address of this machine")
    String apiServerAddress() default "";

    @AttributeDefinition(description = "The API server's port for the kubernetes Service's endpoints; -1: the framework property kubundle.api.port, else 6443")
    int apiServerPort() default -1;

    @AttributeDefinition(description = "Worker threads syncing Services")
    int workers() default 2;

    @AttributeDefinition(description = "Seconds an allocation with no Service holding it is left alone (a create in flight) before the repair loop frees it")
    int allocationGraceSeconds() default 5;
}
