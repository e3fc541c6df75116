package io.kubundle.dns.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@code io.kubundle.dns} ({@code etc/io.kubundle.dns.cfg}); every key is optional. */
@ObjectClassDefinition(name = "Kubundle cluster DNS")
public @interface DnsConfig {
    @AttributeDefinition(description = "The address the server listens on (UDP and TCP) and pods use as their nameserver")
    String listenAddress() default "169.254.20.10";

    @AttributeDefinition(description = "The port the server listens on; pods can only use 53")
    int port() default 53;

    @AttributeDefinition(description = "The cluster domain")
    String clusterDomain() default "cluster.local";

    @AttributeDefinition(description = "Upstream servers (host or host:port) for names outside the cluster domain; empty: the nameservers of resolvConf")
    String[] upstreams() default {};

    @AttributeDefinition(description = "Where the upstream servers are read from when none are configured")
    String resolvConf() default "/etc/resolv.conf";

    @AttributeDefinition(description = "How long an upstream server has to answer, in milliseconds, before the next one is asked")
    int upstreamTimeoutMillis() default 2000;

    @AttributeDefinition(description = "TTL of cluster records, and the negative-caching TTL in the SOA, in seconds")
    int ttl() default 30;

    @AttributeDefinition(description = "Put listenAddress on a dummy interface made for it (and remove it when the server stops)")
    boolean createInterface() default true;

    @AttributeDefinition(description = "The dummy interface's name")
    String interfaceName() default "kubundle-dns";

    @AttributeDefinition(description = "Largest UDP answer for clients that announce a bigger EDNS buffer; larger answers are truncated (TC)")
    int maxUdpSize() default 1232;
}
