package io.kubundle.itests.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

import io.kubundle.api.transport.ApiTransport;
import io.kubundle.client.kube.KubeClient;
import io.kubundle.client.kube.ListOptions;
import io.kubundle.itests.support.client.ClientConformance;

/**
 * The client conformance suite over the API server's in-process transport, in a framework that
 * runs the store, the security bundle, the API server and the client bundle; and the cluster
 * transport following the API server when its bundle stops and starts again.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class InProcessClientTest extends ClientConformance {
    @InjectService(filter = "(kubundle.transport=cluster)", timeout = 30_000)
    ApiTransport cluster;

    @InjectService(cardinality = 0, filter = "(kubundle.transport=in-process)")
    ServiceAware<ApiTransport> inProcess;

    KubeClient client;

    @BeforeEach
    void connect() throws Exception {
        inProcess.waitForService(30_000);
        client = new KubeClient(cluster);
    }

    @Override
    protected KubeClient client() {
        return client;
    }

    @Test
    void theApiServerRegistersItsInProcessTransport() {
        assertEquals("io.kubundle.apiserver", inProcess.getServiceReference().getBundle().getSymbolicName());
    }

    private static List<String> apiServerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("kubundle-api-")).toList();
    }

    /** The API server's bundle stopped and started: the cluster transport fails meanwhile, then follows the new one. */
    @Override
    protected void restartServer() throws Exception {
        Bundle apiServer = inProcess.getServiceReference().getBundle();
        apiServer.stop();
        try {
            assertTrue(inProcess.isEmpty(), "the in-process transport leaves with the API server");
            await(() -> apiServerThreads().isEmpty(), "the API server's threads end: " + apiServerThreads());
            IOException away = assertThrows(IOException.class, () -> client.resources(NAMESPACES).list(null, ListOptions.ALL));
            assertTrue(away.getMessage().contains("no API server runs in this process"), away.getMessage());
        } finally {
            apiServer.start();
        }
        inProcess.waitForService(30_000);
    }
}
