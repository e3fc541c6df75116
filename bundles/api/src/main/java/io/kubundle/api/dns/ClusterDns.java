package io.kubundle.api.dns;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The cluster DNS server of this node, as pods must be told of it. Registered by the DNS plugin
 * while it answers; methods are cheap, thread-safe and return the same values for the life of the
 * registration (a configuration change registers a new service).
 */
@ProviderType
public interface ClusterDns {
    /** The service property holding {@link #address()}, for filters and for consumers that only read properties. */
    String ADDRESS_PROPERTY = "address";

    /** The service property holding {@link #clusterDomain()}. */
    String DOMAIN_PROPERTY = "clusterDomain";

    /** The IP address pods use as their nameserver (port 53), such as {@code 169.254.20.10}. */
    String address();

    /** The cluster domain, such as {@code cluster.local}. */
    String clusterDomain();

    /**
     * The search list for a pod in {@code namespace}: {@code <ns>.svc.<domain> svc.<domain> <domain>}.
     */
    List<String> searches(String namespace);

    /** The resolver options pods get, such as {@code ndots:5}. */
    List<String> options();
}
