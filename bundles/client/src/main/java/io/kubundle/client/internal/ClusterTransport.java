package io.kubundle.client.internal;

import java.io.IOException;
import java.nio.file.Path;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.kubundle.api.transport.ApiCall;
import io.kubundle.api.transport.ApiReply;
import io.kubundle.api.transport.ApiStream;
import io.kubundle.api.transport.ApiTransport;
import io.kubundle.api.transport.StreamListener;
import io.kubundle.client.kube.https.Kubeconfig;

/**
 * The process's way to its cluster, as one service that components build their {@code KubeClient}
 * on ({@code (kubundle.transport=cluster)}): the API server's in-process transport whenever one
 * runs in this JVM, else HTTPS from the configured kubeconfig. It follows the API server across
 * swaps, so clients and their informers outlive it: calls made while none is there fail with an
 * IOException, and informers resume when it is back.
 */
@Component(configurationPid = "io.kubundle.client", service = ApiTransport.class,
        property = ApiTransport.KIND_PROPERTY + "=" + ClusterTransport.KIND)
@Designate(ocd = ClusterTransport.Config.class)
public final class ClusterTransport implements ApiTransport {
    static final String KIND = "cluster";

    @ObjectClassDefinition(name = "Kubundle cluster client", description = "How components reach the API server")
    public @interface Config {
        @AttributeDefinition(description = "kubeconfig for HTTPS when no API server runs in this process (empty: none)")
        String kubeconfig() default "";
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + ApiTransport.KIND_PROPERTY + "=" + ApiTransport.IN_PROCESS + ")")
    private volatile ApiTransport inProcess;

    private ApiTransport remote;
    private String remoteProblem = "no API server runs in this process and no kubeconfig is configured (io.kubundle.client)";

    @Activate
    void activate(Config config) {
        if (!config.kubeconfig().isBlank()) {
            try {
                remote = Kubeconfig.load(Path.of(config.kubeconfig())).transport();
            } catch (IOException e) {
                remoteProblem = "the kubeconfig " + config.kubeconfig() + " cannot be read: " + e.getMessage();
            }
        }
    }

    private ApiTransport current() throws IOException {
        ApiTransport local = inProcess;
        if (local != null) {
            return local;
        }
        if (remote != null) {
            return remote;
        }
        throw new IOException(remoteProblem);
    }

    @Override
    public ApiReply send(ApiCall call) throws IOException {
        return current().send(call);
    }

    @Override
    public ApiStream stream(ApiCall call, StreamListener listener) throws IOException {
        return current().stream(call, listener);
    }
}
