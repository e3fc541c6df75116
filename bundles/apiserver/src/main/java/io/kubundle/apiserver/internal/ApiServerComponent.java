package io.kubundle.apiserver.internal;

import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.DefaultThreadFactory;

import io.kubundle.api.admission.AdmissionChain;
import io.kubundle.api.auth.Authenticator;
import io.kubundle.api.auth.Authorizer;
import io.kubundle.api.auth.ClusterCertificates;
import io.kubundle.api.auth.IssuedCertificate;
import io.kubundle.api.auth.UserInfo;
import io.kubundle.api.store.Store;
import io.kubundle.api.transport.ApiTransport;

/**
 * The API server: serves the Kubernetes REST API over the store that is present. The store and
 * the admission chain are dynamic references, so either can be swapped while the server runs;
 * requests in flight keep the instance they started with.
 */
@Component(configurationPid = "io.kubundle.apiserver", immediate = true, service = {})
@Designate(ocd = ApiServerConfig.class)
public final class ApiServerComponent {
    static final String PORT_PROPERTY = "kubundle.api.port";
    /** The user the API server is to kubelets, as kubeadm names its certificate; in system:masters, which kubelets serve. */
    static final String KUBELET_CLIENT = "kube-apiserver-kubelet-client";
    /** Issued afresh at each start; kubeadm's certificates last a year too. */
    private static final Duration KUBELET_CLIENT_VALIDITY = Duration.ofDays(365);

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Store store;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile AdmissionChain admission;

    private final AccessControl access = new AccessControl();

    @Reference
    private ClusterCertificates certificates;

    private ExecutorService workers;
    private ScheduledExecutorService timers;
    private NettyApiServer server;
    private EventLoopGroup kubeletLoop;
    private WatchCache watchCache;
    private Compactor compactor;
    private ServiceRegistration<ApiTransport> inProcess;
    private InProcessTransport.OpenStreams inProcessStreams;

    // an activate method rather than constructor injection: DS sets the reference fields
    // (the store above all) only after construction
    @Activate
    void activate(BundleContext context, ApiServerConfig config) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ResourceTypes types = ResourceTypes.builtIn();
        workers = Executors.newFixedThreadPool(config.workerThreads(), named("kubundle-api-worker-"));
        timers = Executors.newSingleThreadScheduledExecutor(named("kubundle-api-timer-"));
        inProcessStreams = new InProcessTransport.OpenStreams(workers);
        try {
            ObjectStorage storage = new ObjectStorage(json, () -> store);
            compactor = new Compactor(() -> store, timers, config.compactionIntervalSeconds());
            Resources resources = new Resources(storage, types, json, () -> admission, workers);
            resources.ensureInitialNamespaces();
            int port = port(config, context);
            String address = config.bindAddress() + ":" + port;
            if (config.watchCacheSize() > 0) {
                watchCache = new WatchCache(storage, types, json, config.watchCacheSize(), config.watchBuffer());
                watchCache.start();
            }
            kubeletLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kubundle-api-kubelet", true),
                    NioIoHandler.newFactory());
            IssuedCertificate kubeletClient = certificates.issueClientCertificate(KUBELET_CLIENT, List.of(UserInfo.SYSTEM_MASTERS),
                    KUBELET_CLIENT_VALIDITY);
            KubeletProxy kubelets = new KubeletProxy(resources, types, KubeletProxy.clientTls(kubeletClient.privateKey(),
                    kubeletClient.certificateChain(), certificates.caCertificate()), kubeletLoop);
            ApiHandler handler = new ApiHandler(types, resources, json, new BodyDecoder(), timers, address,
                    context.getBundle().getVersion().toString(), access, watchCache, kubelets);
            server = new NettyApiServer(config.bindAddress(), port, tls(certificates), handler, access::authenticate, workers);
            inProcess = registerInProcessTransport(context, handler, inProcessStreams);
        } catch (Exception | Error e) {
            if (watchCache != null) {
                watchCache.close();
            }
            if (kubeletLoop != null) {
                kubeletLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
            workers.shutdownNow();
            timers.shutdownNow();
            throw e;
        }
    }

    /** The in-process transport, as one instance per calling bundle so that each call carries its bundle's identity. */
    private static ServiceRegistration<ApiTransport> registerInProcessTransport(BundleContext context, ApiHandler handler,
            InProcessTransport.OpenStreams streams) {
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(ApiTransport.KIND_PROPERTY, ApiTransport.IN_PROCESS);
        return context.registerService(ApiTransport.class, new ServiceFactory<ApiTransport>() {
            @Override
            public ApiTransport getService(Bundle bundle, ServiceRegistration<ApiTransport> registration) {
                return new InProcessTransport(handler, InProcessTransport.userFor(bundle.getSymbolicName()), streams);
            }

            @Override
            public void ungetService(Bundle bundle, ServiceRegistration<ApiTransport> registration, ApiTransport service) {
                // stateless: streams end when the server stops
            }
        }, properties);
    }

    /** HTTPS with the cluster's server certificate; client certificates are asked for, not required (tokens work too). */
    static SslContext tls(ClusterCertificates certificates) throws javax.net.ssl.SSLException {
        return SslContextBuilder.forServer(new ServerKeyManager(certificates.serverKey(), certificates.serverCertificateChain()))
                .trustManager(certificates.caCertificate())
                .clientAuth(ClientAuth.OPTIONAL)
                // the JDK's TLS: no probing for OpenSSL, which is not on these machines
                .sslProvider(SslProvider.JDK)
                .build();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addAuthenticator(ServiceReference<Authenticator> reference, Authenticator authenticator) {
        access.addAuthenticator(reference, authenticator);
    }

    void removeAuthenticator(ServiceReference<Authenticator> reference) {
        access.removeAuthenticator(reference);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addAuthorizer(ServiceReference<Authorizer> reference, Authorizer authorizer) {
        access.addAuthorizer(reference, authorizer);
    }

    void removeAuthorizer(ServiceReference<Authorizer> reference) {
        access.removeAuthorizer(reference);
    }

    private static int port(ApiServerConfig config, BundleContext context) {
        if (config.port() >= 0) {
            return config.port();
        }
        String property = context.getProperty(PORT_PROPERTY);
        return property == null || property.isBlank() ? 6443 : Integer.parseInt(property.strip());
    }

    /** The port the server listens on (useful when configured with 0). */
    int port() {
        return server.port();
    }

    @Deactivate
    void deactivate() {
        compactor.close();
        inProcess.unregister();
        inProcessStreams.endAll();
        server.stop();
        if (watchCache != null) {
            watchCache.close();
        }
        timers.shutdownNow();
        workers.shutdownNow();
        kubeletLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
