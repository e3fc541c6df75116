package io.kubundle.api.auth;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The cluster's certificate authority and the API server's serving certificate.
 *
 * <p>Contract:
 * <ul>
 *   <li>The API server serves TLS with {@link #serverKey()} and {@link #serverCertificateChain()},
 *       and trusts client certificates issued by {@link #caCertificate()}. Every client of the
 *       cluster (kubectl, nodes, controllers) trusts the API server through the same CA.</li>
 *   <li>The values do not change while the service is registered. When they must (the
 *       configured host names changed), the service is unregistered and registered again with
 *       the new ones: a consumer with a static reference is restarted with them.</li>
 *   <li>Every method is thread-safe.</li>
 * </ul>
 */
@ProviderType
public interface ClusterCertificates {

    /** The private key of the API server's serving certificate. */
    PrivateKey serverKey();

    /** The API server's serving certificate first, then any intermediate CA certificates. */
    List<X509Certificate> serverCertificateChain();

    /** The root certificate every cluster certificate chains to. */
    X509Certificate caCertificate();

    /** A PEM file holding {@link #caCertificate()}, for tools that take a file. */
    Path caCertificateFile();

    /**
     * Issues a client certificate: the API server's x509 authenticator takes {@code commonName}
     * as the user name and {@code organizations} as the groups. The key is new; nothing is stored.
     *
     * @param commonName the user name, such as {@code system:node:worker-1}
     * @param organizations the groups, such as {@code system:nodes}; may be empty
     * @param validity how long it is valid from now; cut short where the CA expires
     * @throws IllegalArgumentException if the name is blank or the validity is not positive
     */
    IssuedCertificate issueClientCertificate(String commonName, List<String> organizations, Duration validity);

    /**
     * Issues a TLS serving certificate (for a kubelet, a webhook, ...). The key is new; nothing
     * is stored.
     *
     * @param dnsNames the host names it is valid for
     * @param ipAddresses the IP addresses (IPv4 or IPv6 literals) it is valid for
     * @param validity how long it is valid from now; cut short where the CA expires
     * @throws IllegalArgumentException if there is no name or address, an address is not an IP
     *         literal, or the validity is not positive
     */
    IssuedCertificate issueServerCertificate(List<String> dnsNames, List<String> ipAddresses, Duration validity);
}
