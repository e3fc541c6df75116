package io.kubundle.security.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.auth.ClusterCertificates;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.ControllerHost;
import io.kubundle.client.kube.KubeClient;

/**
 * The CertificateSigningRequest approver, signer and cleaner, as kube-controller-manager's
 * csrapproving, csrsigning and csrcleaner: steps of one {@link CsrController} (one informer),
 * running while the master runs (through {@link ControllerHost}, so it starts from a fresh list
 * after a restart or swap and catches up on what it missed); each step can be turned off. The signer needs
 * this bundle's CA ({@link FileClusterCertificates}); with another ClusterCertificates provider it
 * does not run. Configuration PID {@code io.kubundle.security.csr}.
 */
@Component(configurationPid = CertificateControllers.PID, immediate = true, service = {})
@Designate(ocd = CertificateControllers.Config.class)
public final class CertificateControllers {
    static final String PID = "io.kubundle.security.csr";
    private static final System.Logger LOG = System.getLogger(CertificateControllers.class.getName());

    @ObjectClassDefinition(name = "Kubundle certificate signing requests",
            description = "The approver and the signer of CertificateSigningRequests.")
    public @interface Config {
        @AttributeDefinition(description = "Approve kubelet client certificates asked for by bootstrappers (new nodes) "
                + "or by the node itself (renewals), as kube-controller-manager does")
        boolean autoApprove() default true;

        @AttributeDefinition(description = "Approve kubernetes.io/kubelet-serving requests of a node (or a bootstrapper) "
                + "for that node with only DNS and IP names. Kubernetes leaves them to the admin; set false to do the same")
        boolean approveKubeletServing() default true;

        @AttributeDefinition(description = "Sign approved requests of kubernetes.io/kube-apiserver-client, "
                + "kube-apiserver-client-kubelet and kubelet-serving with the cluster CA")
        boolean sign() default true;

        @AttributeDefinition(description = "Longest validity of a signed certificate, and the validity of one whose "
                + "request has no expirationSeconds (Kubernetes' --cluster-signing-duration: 1 year)")
        long signingDurationSeconds() default 365L * 24 * 3600;

        @AttributeDefinition(description = "Delete requests an hour after they were approved, denied or failed, a day "
                + "after creation while pending, and once their certificate expired, as Kubernetes' csrcleaner")
        boolean cleanUp() default true;
    }

    @Reference(target = "(" + ApiTransport.KIND_PROPERTY + "=cluster)")
    private ApiTransport transport;

    @Reference(name = "certificates")
    private ClusterCertificates certificates;

    private ControllerHost host;

    @Activate
    void activate(Config config) {
        List<CsrController.Step> steps = new ArrayList<>();
        if (config.autoApprove()) {
            steps.add(new CsrApprover(config.approveKubeletServing()));
        }
        if (config.sign()) {
            if (certificates instanceof FileClusterCertificates files) {
                steps.add(new CsrSigner(files.ca(), Duration.ofSeconds(config.signingDurationSeconds())));
            } else {
                LOG.log(System.Logger.Level.WARNING, "the cluster certificates are not this bundle's: no CSR is signed");
            }
        }
        if (config.cleanUp()) {
            // last: the others never see a request it deleted
            steps.add(new CsrCleaner(Clock.systemUTC()));
        }
        if (!steps.isEmpty()) {
            host = new ControllerHost("csr-controllers", () -> new CsrController("csr", new KubeClient(transport), steps));
        }
    }

    @Deactivate
    void deactivate() {
        if (host != null) {
            host.close();
        }
    }
}
