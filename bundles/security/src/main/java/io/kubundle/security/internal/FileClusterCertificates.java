package io.kubundle.security.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

import io.kubundle.api.auth.ClusterCertificates;
import io.kubundle.api.auth.IssuedCertificate;

/**
 * The cluster's certificates, kept in {@code <data-dir>/pki}, and the admin kubeconfig in
 * {@code <data-dir>/kubeconfig}. Without a modified method, a configuration change makes DS
 * deactivate and activate it again, which issues a new serving certificate if the names changed
 * and registers the service anew.
 */
@Component(name = FileClusterCertificates.PID, configurationPid = FileClusterCertificates.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true, service = ClusterCertificates.class)
@Designate(ocd = SecurityConfig.class)
public final class FileClusterCertificates implements ClusterCertificates {
    static final String PID = "io.kubundle.security";
    /** The names every API server answers to, in and out of the cluster, as kubeadm gives them. */
    static final List<String> API_SERVER_NAMES = List.of("localhost", "kubernetes", "kubernetes.default",
            "kubernetes.default.svc", "kubernetes.default.svc.cluster.local");
    /** Loopback, and the first address of the default service range: the {@code kubernetes} service. */
    static final List<String> API_SERVER_ADDRESSES = List.of("127.0.0.1", "::1", "10.96.0.1");
    private static final Path HOST_NAME_FILE = Path.of("/proc/sys/kernel/hostname");

    private final Pki pki;

    @Activate
    public FileClusterCertificates(BundleContext context, SecurityConfig config) throws IOException {
        this(FrameworkProperties.dataDir(context), FrameworkProperties.apiPort(context), List.of(config.extraSans()));
    }

    FileClusterCertificates(Path dataDir, int apiPort, List<String> extraSans) throws IOException {
        pki = Pki.open(dataDir.resolve("pki"), apiServerNames(hostName(), extraSans));
        KubeconfigWriter.write(dataDir.resolve("kubeconfig"), "https://127.0.0.1:" + apiPort,
                Pem.certificates(List.of(pki.ca().certificate())), Pki.ADMIN_USER, pki.admin().certificatePem(),
                pki.admin().privateKeyPem());
    }

    /** The fixed names, the host's name if it is a valid one, and the configured extras. */
    static SubjectAltNames apiServerNames(Optional<String> hostName, List<String> extraSans) {
        List<String> names = new ArrayList<>(API_SERVER_NAMES);
        hostName.filter(SubjectAltNames::isDnsName).ifPresent(names::add);
        List<String> extras = new ArrayList<>();
        for (String value : extraSans) {
            // a .cfg file gives one string; let it hold a list
            for (String entry : value.split("[,\\s]+")) {
                if (!entry.isEmpty()) {
                    extras.add(entry);
                }
            }
        }
        return SubjectAltNames.of(names, API_SERVER_ADDRESSES).plus(SubjectAltNames.parse(extras));
    }

    /** The kernel's host name, without the DNS lookup that InetAddress.getLocalHost() makes. */
    private static Optional<String> hostName() {
        try {
            if (Files.isReadable(HOST_NAME_FILE)) {
                return Optional.of(Files.readString(HOST_NAME_FILE).strip().toLowerCase(Locale.ROOT));
            }
            return Optional.of(InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The CA itself, for the CSR signer of this bundle. */
    CertificateAuthority ca() {
        return pki.ca();
    }

    @Override
    public PrivateKey serverKey() {
        return pki.apiServer().privateKey();
    }

    @Override
    public List<X509Certificate> serverCertificateChain() {
        return pki.apiServer().certificateChain();
    }

    @Override
    public X509Certificate caCertificate() {
        return pki.ca().certificate();
    }

    @Override
    public Path caCertificateFile() {
        return pki.caFile();
    }

    @Override
    public IssuedCertificate issueClientCertificate(String commonName, List<String> organizations, Duration validity) {
        return pki.ca().issueClient(commonName, organizations, validity);
    }

    @Override
    public IssuedCertificate issueServerCertificate(List<String> dnsNames, List<String> ipAddresses, Duration validity) {
        SubjectAltNames names = SubjectAltNames.of(dnsNames, ipAddresses);
        String commonName = Stream.concat(names.dnsNames().stream(), names.ipAddresses().stream()).findFirst().orElse("");
        return pki.ca().issueServer(commonName, names, validity);
    }
}
